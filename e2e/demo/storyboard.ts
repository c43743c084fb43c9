/**
 * The storyboard a demo run leaves behind: demo-output/<scenario>/index.html,
 * plain HTML with relative image links, so it opens from disk. Every step
 * with its caption and timing, a screenshot of each tab, and the facts
 * checked, each with its verdict.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface FactRecord {
  fact: string;
  ok: boolean;
  /** What the probe last saw, for a failed fact. */
  saw?: string;
  /** How long the fact took to hold (or to give up). */
  ms: number;
}

export interface StepRecord {
  index: number;
  title: string;
  /** The caption each tab showed, by label. */
  captions: { label: string; text: string }[];
  /** From the start of the run. */
  startedMs: number;
  durationMs: number;
  /** Screenshot files, relative to the storyboard. */
  shots: { label: string; file: string }[];
  facts: FactRecord[];
  notes: string[];
  failed: boolean;
}

export type Verdict = 'pass' | 'fail' | 'skipped';

export interface RunRecord {
  scenario: string;
  claim: string;
  verdict: Verdict;
  /** Why it failed or was skipped. */
  reason?: string;
  network: string;
  startedAt: Date;
  durationMs: number;
  steps: StepRecord[];
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function renderStep(step: StepRecord): string {
  const captions = [...new Set(step.captions.map((c) => c.text))].length === 1
    ? `<p class="caption">${escapeHtml(step.captions[0]?.text ?? '')}</p>`
    : `<ul class="captions">${step.captions.map((c) => `<li><b>${escapeHtml(c.label)}</b>: ${escapeHtml(c.text)}</li>`).join('')}</ul>`;
  const facts = step.facts.length === 0 ? '' : `<ul class="facts">${step.facts
    .map((f) => `<li class="${f.ok ? 'ok' : 'bad'}">${f.ok ? '✔' : '✘'} ${escapeHtml(f.fact)} <small>(${seconds(f.ms)})</small>${f.saw && !f.ok ? `<br><small>saw: ${escapeHtml(f.saw)}</small>` : ''}</li>`)
    .join('')}</ul>`;
  const notes = step.notes.length === 0 ? '' : `<ul class="notes">${step.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>`;
  const shots = step.shots.map((s) => `<figure><a href="${encodeURI(s.file)}"><img src="${encodeURI(s.file)}" alt="${escapeHtml(`${s.label} after: ${step.title}`)}" loading="lazy"></a><figcaption>${escapeHtml(s.label)}</figcaption></figure>`).join('');
  return `<section class="step${step.failed ? ' failed' : ''}" id="step-${step.index}">
<h2>${step.index}. ${escapeHtml(step.title)} <small>at ${seconds(step.startedMs)}, took ${seconds(step.durationMs)}</small></h2>
${captions}${facts}${notes}<div class="shots">${shots}</div>
</section>`;
}

/** Writes index.html into `dir` (the screenshots are already there) and returns its path. */
export function writeStoryboard(dir: string, run: RunRecord): string {
  const factCount = run.steps.reduce((n, s) => n + s.facts.length, 0);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>tabmesh demo: ${escapeHtml(run.scenario)} (${run.verdict})</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1400px;padding:16px 24px;color:#1b1f2a;background:#fafbfc}
header{border-bottom:2px solid #ddd;margin-bottom:12px}
.verdict{display:inline-block;padding:2px 10px;border-radius:4px;color:#fff;font-weight:700}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#c62828}.verdict.skipped{background:#8a6d00}
.step{border:1px solid #ddd;border-radius:6px;background:#fff;margin:12px 0;padding:8px 14px}
.step.failed{border-color:#c62828}
h2{font-size:17px;margin:6px 0}h2 small{font-weight:400;color:#666}
.caption{background:#141826;color:#fff;padding:6px 10px;border-left:4px solid #f5a623}
.facts{list-style:none;padding-left:0}.facts .ok{color:#1a7f37}.facts .bad{color:#c62828;font-weight:700}
.notes{color:#444}
.shots{display:flex;flex-wrap:wrap;gap:8px}
figure{margin:0;width:calc(33% - 8px);min-width:260px}figure img{width:100%;border:1px solid #ccc}
figcaption{font-size:13px;color:#555;text-align:center}
</style></head><body>
<header><h1>tabmesh demo: ${escapeHtml(run.scenario)}</h1>
<p><b>Claim:</b> ${escapeHtml(run.claim)}</p>
<p><span class="verdict ${run.verdict}">${run.verdict.toUpperCase()}</span> ${run.reason ? escapeHtml(run.reason) : `${factCount} facts checked`}
· network <code>${escapeHtml(run.network)}</code> · ${escapeHtml(run.startedAt.toISOString())} · ${seconds(run.durationMs)}</p></header>
${run.steps.map(renderStep).join('\n')}
</body></html>
`;
  const file = path.join(dir, 'index.html');
  writeFileSync(file, html);
  return file;
}
