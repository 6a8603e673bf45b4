// The console in Chromium: sign in with the admin credentials through the form, visit each
// page, and check it with axe-core (WCAG 2.1 AA rules): no serious or critical violation, on
// a desktop and on a phone-sized viewport. Screenshots go to ARTIFACTS.
import assert from 'node:assert/strict';
import { axeAudit, env, launch } from './common.mjs';

const base = env('COGNATE_BASE');
const artifacts = env('ARTIFACTS');

async function audit(page, name) {
  const passes = await axeAudit(page, name);
  await page.screenshot({ path: `${artifacts}/console-${name}.png`, fullPage: true });
  console.log(`${name}: ${passes} axe rules pass, no serious violation`);
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
    await Promise.all([page.waitForURL(/\/users$/), page.getByRole('link', { name: /^Users and groups of/ }).click()]);
    await audit(page, `users-${label}`);
    await Promise.all([page.waitForURL(/\/users\/.+/), page.getByRole('link', { name: 'ada', exact: true }).click()]);
    await audit(page, `user-${label}`);
    await page.goBack();
    await Promise.all([page.waitForURL(/\/groups\/.+/), page.getByRole('link', { name: 'admin', exact: true }).click()]);
    await audit(page, `group-${label}`);
    await page.goto(page.url().replace(/\/groups\/.*$/, '/settings'));
    await audit(page, `settings-${label}`);
    await page.goto(page.url().replace(/\/pools\/.*$/, '/pools/not_a_pool!'));
    await audit(page, `error-${label}`);
    await page.goto(`${base}/console/pools`);
    await Promise.all([page.waitForURL(/\/console\/signin$/), page.getByRole('button', { name: 'Sign out' }).click()]);
  }
} finally {
  await browser.close();
}
