/**
 * Headed demos lay their tabs out as a grid of windows, so a person sees
 * every tab at once. Chromium only: the window is moved through the DevTools
 * protocol (Browser.setWindowBounds), which Playwright exposes per page.
 */
import type { Page } from '@playwright/test';

/** The screen the grid fills; 1920x1080 unless DEMO_SCREEN=WxH says otherwise. */
function screenSize(): { width: number; height: number } {
  const match = /^(\d+)x(\d+)$/.exec(process.env.DEMO_SCREEN ?? '');
  return match ? { width: Number(match[1]), height: Number(match[2]) } : { width: 1920, height: 1080 };
}

/** The bounds of cell `index` in a grid of `count` windows: as square as the count allows. */
export function gridCell(index: number, count: number): { left: number; top: number; width: number; height: number } {
  const { width, height } = screenSize();
  const columns = Math.ceil(Math.sqrt(count));
  const rows = Math.ceil(count / columns);
  const cellWidth = Math.floor(width / columns);
  const cellHeight = Math.floor(height / rows);
  return { left: (index % columns) * cellWidth, top: Math.floor(index / columns) * cellHeight, width: cellWidth, height: cellHeight };
}

/** Moves `page`'s window into cell `index` of `count`. */
export async function placeWindow(page: Page, index: number, count: number): Promise<void> {
  const session = await page.context().newCDPSession(page);
  try {
    const { windowId } = (await session.send('Browser.getWindowForTarget')) as { windowId: number };
    await session.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
    await session.send('Browser.setWindowBounds', { windowId, bounds: gridCell(index, count) });
  } finally {
    await session.detach();
  }
}
