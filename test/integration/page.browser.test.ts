// The demo's page in a real headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core)
// against the whole demo run locally: Consul, nginx, hello and world, each under autopilot.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { useLocalApp } from '../support/local-app.ts';

// The callbacks given to page.evaluate run in the page; these are the few browser globals they use.
interface PageElement {
  textContent: string | null;
  dataset: Record<string, string | undefined>;
}
declare const document: { querySelector(selector: string): PageElement | null; body: PageElement };
declare function getComputedStyle(element: PageElement): { color: string; backgroundColor: string };
declare const window: { notReloaded?: boolean };

const fixture = useLocalApp();
let browser: Browser | undefined;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
});

/** Waits (bounded) until the element's text is `text`; the page refreshes itself every second. */
async function textBecomes(testId: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([id, wanted]) => document.querySelector(`[data-testid="${id}"]`)?.textContent === wanted,
    [testId, text] as const,
    { timeout: 60_000 },
  );
}

const colour = (testId: string, property: 'color' | 'backgroundColor') =>
  page.evaluate(
    ([id, prop]) =>
      getComputedStyle(id ? document.querySelector(`[data-testid="${id}"]`)! : document.body)[prop],
    [testId, property] as const,
  );

describe('the hello-world page in a browser', () => {
  it('greets with Hello in white and World in chartreuse on steel blue, and counts one of each', async () => {
    await page.goto(fixture.app().url);
    await textBecomes('hello-word', 'Hello');
    await textBecomes('world-word', 'World');
    await textBecomes('hello-count', '1');
    await textBecomes('world-count', '1');

    expect(await page.getAttribute('[data-testid="hello-word"]', 'data-state')).toBe('ok');
    expect(await page.getAttribute('[data-testid="world-word"]', 'data-state')).toBe('ok');
    expect(await colour('hello-word', 'color')).toBe('rgb(255, 255, 255)'); // white
    expect(await colour('world-word', 'color')).toBe('rgb(127, 255, 0)'); // #7FFF00
    expect(await colour('', 'backgroundColor')).toBe('rgb(70, 130, 180)'); // steel blue #4682B4
  });

  it('shows three hello instances by name after hello is scaled to 3, without being reloaded', async () => {
    // A reload would lose this mark: the count has to change by the page's own polling.
    await page.evaluate(() => {
      window.notReloaded = true;
    });

    await fixture.app().scale({ hello: 3 });
    const ids = fixture
      .app()
      .running('hello')
      .map((i) => i.id)
      .sort();
    await textBecomes('hello-count', '3');

    const shown = await page.$$eval('[data-testid="hello-instance"]', (items) =>
      items.map((item) => (item as unknown as PageElement).dataset.instance),
    );
    expect(shown.sort()).toEqual(ids);
    expect(await page.textContent('[data-testid="hello-instances"]')).toContain(ids[2]);
    expect(await page.textContent('[data-testid="hello-count-label"]')).toBe('healthy instances');
    expect(await page.evaluate(() => window.notReloaded)).toBe(true);
  }, 90_000);
});
