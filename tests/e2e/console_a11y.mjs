// The console in Chromium: sign in with the admin credentials through the form, visit each
// page, and check it with axe-core (WCAG 2.1 AA rules): no serious or critical violation, on
// a desktop and on a phone-sized viewport. Screenshots go to ARTIFACTS.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { env, launch } from './common.mjs';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const base = env('COGNATE_BASE');
const artifacts = env('ARTIFACTS');

async function audit(page, name) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target).join(', ')})`), [],
    `accessibility of ${name}`);
  await page.screenshot({ path: `${artifacts}/console-${name}.png`, fullPage: true });
  console.log(`${name}: ${result.passes.length} axe rules pass, no serious violation`);
}

const { browser, page } = await launch({ standIn: false, bypassCSP: true });
try {
  for (const [label, viewport] of [['desktop', { width: 1280, height: 800 }], ['phone', { width: 390, height: 844 }]]) {
    await page.setViewportSize(viewport);
    await page.context().clearCookies();
    await page.goto(`${base}/console`);
    assert.ok(page.url().endsWith('/console/signin'), page.url());
    await audit(page, `signin-${label}`);
    await page.getByLabel('Access key ID').fill(env('ACCESS_KEY'));
    await page.getByLabel('Secret access key').fill(env('SECRET_KEY'));
    await Promise.all([page.waitForURL(/\/console\/pools$/), page.keyboard.press('Enter')]);
    await audit(page, `pools-${label}`);
    await Promise.all([page.waitForURL(/\/console\/pools\/.+/), page.getByRole('link', { name: env('POOL_NAME') }).click()]);
    await audit(page, `pool-${label}`);
    await Promise.all([page.waitForURL(/\/console\/signin$/), page.getByRole('button', { name: 'Sign out' }).click()]);
  }
} finally {
  await browser.close();
}
