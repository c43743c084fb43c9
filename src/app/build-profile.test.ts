import { describe, expect, it } from 'vitest';
import { negotiate, PROTOCOL_VERSION_MAX, PROTOCOL_VERSION_MIN, RANGE_OF_BARE_HELLO } from '../core/protocol-version.ts';
import { BUILD_PROFILE, buildProfile } from './build-profile.ts';

describe('build profiles', () => {
  it('runs the current build, knowing the deployments, when nothing was defined', () => {
    expect(BUILD_PROFILE).toEqual({ name: 'current', knowsDeployments: true });
  });

  it('builds the previous one with the protocol max one lower, no features, and no deployments', () => {
    const previous = buildProfile('previous');
    expect(previous).toEqual({ name: 'previous', protocol: { min: PROTOCOL_VERSION_MIN, max: PROTOCOL_VERSION_MAX - 1, features: 0 }, knowsDeployments: false });
    // It still links with the current build, at its own max.
    const current = { min: PROTOCOL_VERSION_MIN, max: PROTOCOL_VERSION_MAX, features: 0 };
    expect(negotiate(current, previous.protocol ?? RANGE_OF_BARE_HELLO)).toMatchObject({ ok: true, value: { version: PROTOCOL_VERSION_MAX - 1 } });
  });

  it('refuses a build name it does not know', () => {
    expect(() => buildProfile('next')).toThrow(/TABMESH_BUILD_AS must be one of current, previous/);
  });
});
