/**
 * A QR code of a short text (this tab's address), drawn as one SVG path from
 * @paulmillr/qr's module matrix: no canvas and no markup strings. Always dark
 * on light, whatever the theme, because that is what scanners read best.
 */
import encodeQR from '@paulmillr/qr';
import { useMemo } from 'react';

/** The quiet zone the QR spec asks for around the code, in modules. */
const QUIET_MODULES = 4;

/** One path command per dark module, e.g. "M4 4h1v1h-1z", offset by the quiet zone. */
export function qrPath(modules: readonly (readonly boolean[])[]): string {
  let path = '';
  modules.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) path += `M${x + QUIET_MODULES} ${y + QUIET_MODULES}h1v1h-1z`;
    });
  });
  return path;
}

export function QrCode({ text, label, sizePx = 176 }: { text: string; label: string; sizePx?: number }) {
  const { path, side } = useMemo(() => {
    const modules = encodeQR(text, 'raw', { ecc: 'medium', border: 0 });
    return { path: qrPath(modules), side: modules.length + 2 * QUIET_MODULES };
  }, [text]);
  return (
    <svg className="qr" role="img" aria-label={label} width={sizePx} height={sizePx} viewBox={`0 0 ${side} ${side}`} shapeRendering="crispEdges">
      <rect width={side} height={side} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
