// temporary ad-hoc verification (deleted afterwards)
import fs from 'node:fs';
import { launchBrowser, ensureTools, sleep, waitUntil, cleanupAll } from './lib.mjs';
import { Workbench } from './workbench.mjs';
const logText = fs.readFileSync('/tmp/demo-int.log', 'utf8');
const url = logText.match(/Open:\s+(\S+)/)[1];
const pid = Number(logText.match(/Leaky app:\s+PID (\d+)/)[1]);
const out = '/tmp/demo-verify';
const tools = await ensureTools();
fs.rmSync(`${out}/profile`, { recursive: true, force: true });
const { page } = await launchBrowser(tools, `${out}/profile`);
const wb = new Workbench(page);
try {
  const t0 = Date.now();
  await page.goto(url);
  await wb.waitReady('leaky_app.py');
  await wb.editor.locator('[class*="squiggly-"]').first().waitFor({ timeout: 60_000 });
  console.log('squiggles after', (Date.now() - t0) / 1000, 's', await wb.squigglesByLine());
  await sleep(3000);
  await page.screenshot({ path: `${out}/1-squiggles.png` });
  await wb.runCommand('Leak Lens: Detect Memory Leak');
  for (let i = 0; i < 5; i++) {
    const shown = await waitUntil(() => wb.quickInput.isVisible(), { timeoutMs: 4000 }).catch(() => false);
    if (!shown) break;
    const ph = (await wb.quickInput.locator('input').first().getAttribute('placeholder')) ?? '';
    const title = (await wb.quickInput.locator('.quick-input-title').textContent().catch(() => '')) ?? '';
    console.log('prompt:', title, '|', ph);
    if (/process|PID/i.test(ph) && i === 0) {
      await wb.quickInput.locator('input').first().fill(String(pid));
      await sleep(1500);
      await page.screenshot({ path: `${out}/2-pick-pid.png` });
      const row = wb.quickInput.locator('.monaco-list-row', { hasText: String(pid) }).first();
      if (await row.isVisible()) { console.log('row:', await row.textContent()); await row.click(); }
      else await page.keyboard.press('Enter');
    } else await page.keyboard.press('Enter');
    await sleep(800);
  }
  await sleep(5000);
  await page.screenshot({ path: `${out}/3-detect-running.png` });
  const verdict = await waitUntil(async () => (await wb.notificationMessages()).find((m) => /rapid[- ]leak|slow[- ]leak|no[- ]leak|inconclusive/i.test(m) && !/left ·/.test(m)), { timeoutMs: 90_000, intervalMs: 1000, what: 'verdict' });
  console.log('notification:', verdict);
  await sleep(1000);
  await page.screenshot({ path: `${out}/4-verdict.png` });
} catch (e) { console.error('FAIL', e.message); await page.screenshot({ path: `${out}/fail.png` }); }
await cleanupAll();
