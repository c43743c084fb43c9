/**
 * The relay's limits as `npm start` takes them (signaling/bin/serve.ts):
 * each from a flag or an environment variable, the flag winning, checked
 * here so that a bad value stops the server with one line naming the
 * setting instead of running with a limit nobody meant. Unset settings keep
 * RELAY_DEFAULTS (relay-server.ts), where each default's reason is written.
 *
 * The identity stamp's work is not here on purpose: it is a network
 * parameter (core/ledger/params.ts) that every peer checks too, so a relay
 * asking less would admit ids the tabs refuse, and asking more would refuse
 * honest tabs.
 */
import type { RawSetting } from './ice-servers.ts';
import { RELAY_DEFAULTS, type RelayServerInit } from './relay-server.ts';

/** The relay limits an operator may set. */
export type RelaySettings = Pick<RelayServerInit,
  'maxConnections' | 'maxPendingJoins' | 'maxPendingPerAddress' | 'maxMembersPerAddress' | 'joinsPerAddress' | 'maxRoomSize' | 'joinTimeoutMs' | 'trustProxyHops'>;

/** A relay setting that cannot be used; the message names the setting. */
export class RelaySettingsError extends Error {
  override readonly name = 'RelaySettingsError';
}

interface SettingSpec {
  flag: string;
  env: string;
  /** What the value counts, for the usage and the error ("sockets", "seconds"). */
  unit: string;
  min: number;
  max: number;
  /** Seconds may have a fraction (a join timeout of 2.5 s); counts may not. */
  fraction?: boolean;
}

/**
 * Every setting, flag and variable. Bounds keep a typo from disabling a
 * limit: a million sockets is past what one process's file descriptors
 * allow, and a join timeout past 5 minutes holds an idle socket as long as
 * a heartbeat round trip 20 times over.
 */
export const RELAY_SETTINGS = {
  maxConnections: { flag: 'max-connections', env: 'TABMESH_MAX_CONNECTIONS', unit: 'sockets', min: 1, max: 1_000_000 },
  maxPendingJoins: { flag: 'max-pending-joins', env: 'TABMESH_MAX_PENDING_JOINS', unit: 'sockets', min: 1, max: 1_000_000 },
  maxPendingPerAddress: { flag: 'pending-per-address', env: 'TABMESH_PENDING_PER_ADDRESS', unit: 'sockets', min: 1, max: 1_000_000 },
  maxMembersPerAddress: { flag: 'members-per-address', env: 'TABMESH_MEMBERS_PER_ADDRESS', unit: 'members', min: 1, max: 1_000_000 },
  joinBurst: { flag: 'join-burst', env: 'TABMESH_JOIN_BURST', unit: 'joins', min: 1, max: 1_000_000 },
  joinsPerMinute: { flag: 'joins-per-minute', env: 'TABMESH_JOINS_PER_MINUTE', unit: 'joins', min: 1, max: 60_000_000 },
  maxRoomSize: { flag: 'max-room-size', env: 'TABMESH_MAX_ROOM_SIZE', unit: 'members', min: 2, max: 1_000_000 },
  joinTimeoutSec: { flag: 'join-timeout', env: 'TABMESH_JOIN_TIMEOUT', unit: 'seconds', min: 1, max: 300, fraction: true },
  trustProxyHops: { flag: 'trust-proxy', env: 'TABMESH_TRUST_PROXY', unit: 'proxies', min: 0, max: 10 },
} as const satisfies Record<string, SettingSpec>;

export type RelaySettingName = keyof typeof RELAY_SETTINGS;

/** The flags, for node:util parseArgs. */
export const RELAY_SETTING_FLAGS = Object.fromEntries(Object.values(RELAY_SETTINGS).map((spec) => [spec.flag, { type: 'string' as const }])) as
  Record<(typeof RELAY_SETTINGS)[RelaySettingName]['flag'], { type: 'string' }>;

/** A usage line per setting: `--flag N, or ENV (unit)`. */
export function relaySettingsUsage(): string[] {
  return Object.values(RELAY_SETTINGS).map((spec: SettingSpec) => `--${spec.flag} ${spec.fraction ? 'SEC' : 'N'}, or ${spec.env} (${spec.unit}, ${spec.min}-${spec.max.toLocaleString('en-US')})`);
}

function parseNumber(raw: RawSetting, spec: SettingSpec): number {
  const text = raw.value.trim();
  const value = Number(text);
  const shape = spec.fraction ? /^\d+(\.\d+)?$/ : /^\d+$/;
  if (!shape.test(text) || value < spec.min || value > spec.max) {
    const what = spec.fraction ? 'a number' : 'a whole number';
    throw new RelaySettingsError(`${raw.name}=${raw.value} must be ${what} of ${spec.unit} from ${spec.min} to ${spec.max.toLocaleString('en-US')}`);
  }
  return value;
}

/**
 * Reads every relay setting through `lookup` (flag first, then variable;
 * serve.ts's `setting`) and checks them, alone and together. Throws
 * RelaySettingsError naming the setting; returns only what was set.
 */
export function parseRelaySettings(lookup: (flag: string, env: string) => RawSetting | undefined): RelaySettings {
  const raw = {} as Record<RelaySettingName, RawSetting | undefined>;
  const read = {} as Partial<Record<RelaySettingName, number>>;
  for (const [name, spec] of Object.entries(RELAY_SETTINGS) as [RelaySettingName, SettingSpec][]) {
    const found = lookup(spec.flag, spec.env);
    // An empty variable is an unset one (TABMESH_TRUST_PROXY= in a unit file means the default).
    raw[name] = found?.value.trim() === '' ? undefined : found;
    if (raw[name] !== undefined) read[name] = parseNumber(raw[name], spec);
  }
  /** Checks effective values (a setting left unset has its default), naming what was set. */
  const atMost = (small: RelaySettingName, large: RelaySettingName, defaults: [number, number], why: string): void => {
    const [a, b] = [read[small] ?? defaults[0], read[large] ?? defaults[1]];
    if (a <= b || (raw[small] === undefined && raw[large] === undefined)) return;
    const name = (setting: RelaySettingName, value: number) => (raw[setting] ? `${raw[setting].name}=${value}` : `the default ${RELAY_SETTINGS[setting].env}=${value}`);
    throw new RelaySettingsError(`${name(small, a)} is more than ${name(large, b)}: ${why}`);
  };
  const d = RELAY_DEFAULTS;
  atMost('maxPendingPerAddress', 'maxPendingJoins', [d.maxPendingPerAddress, d.maxPendingJoins], 'one address\'s share cannot exceed the whole pending pool');
  atMost('maxPendingJoins', 'maxConnections', [d.maxPendingJoins, d.maxConnections], 'pending sockets are connections');
  // The burst and the rate are one bucket: set together, or one alone over the other's default.
  const joins = read.joinBurst === undefined && read.joinsPerMinute === undefined ? undefined
    : { burst: read.joinBurst ?? d.joinsPerAddress.burst, perMinute: read.joinsPerMinute ?? d.joinsPerAddress.perMinute };
  const settings: RelaySettings = {
    maxConnections: read.maxConnections,
    maxPendingJoins: read.maxPendingJoins,
    maxPendingPerAddress: read.maxPendingPerAddress,
    maxMembersPerAddress: read.maxMembersPerAddress,
    joinsPerAddress: joins,
    maxRoomSize: read.maxRoomSize,
    joinTimeoutMs: read.joinTimeoutSec === undefined ? undefined : Math.round(read.joinTimeoutSec * 1000),
    trustProxyHops: read.trustProxyHops,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined)) as RelaySettings;
}

