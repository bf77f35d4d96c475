// «Справки» (SPEC S1, S2, E4): a citizen orders a справка from the cabinet, watches «Готово»
// arrive on the order page without reloading it, downloads the signed PDF, and a signed-out
// browser opens the check link printed in it (and in its QR code) — every page checked with
// axe-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDemo, launch, checkA11y, shot, signIn } from '../lib.mjs';

test('a citizen orders a справка, sees it made live, downloads it and anyone checks it', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const context = await browser.newContext({ locale: 'ru-RU', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, demo, '+79123456789');
    await page.goto(`${demo.portal}/cabinet`);
    await page.getByRole('link', { name: 'Справки', exact: true }).click();
    await page.getByRole('heading', { name: 'Справки', exact: true }).waitFor();
    await checkA11y(page, 'spravki: order form');

    // A period in the future is refused, with its code, and nothing is ordered.
    await page.getByLabel('Справка о доходах и суммах налога физического лица').check();
    await page.getByLabel('Начало периода').fill('01.01.2025');
    await page.getByLabel('Конец периода').fill('01.01.2099');
    await page.getByRole('button', { name: 'Заказать справку' }).click();
    await page.getByRole('heading', { name: 'Заказ не принят: исправьте ошибки' }).waitFor();
    await page.getByText('period_future').waitFor();
    await checkA11y(page, 'spravki: refused');
    await page.getByText('Заказов пока нет.').waitFor();

    await page.getByLabel('Конец периода').fill('31.03.2025');
    await page.getByRole('button', { name: 'Заказать справку' }).click();
    await page.getByRole('heading', { name: /Заказ справки № S\d{4}-\d{6}/ }).waitFor();
    await checkA11y(page, 'spravka: ordered');
    // The worker makes it while the page is open; the page follows by itself.
    await page.getByRole('heading', { name: 'Справка готова' }).waitFor({ timeout: 30000 });
    await page.locator('#order-status[data-status="ready"]').waitFor();
    await checkA11y(page, 'spravka: ready');
    await shot(page, 'spravka-ready');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Скачать справку (PDF)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^spravka-D\d{4}-\d{6}\.pdf$/);
    const pdf = fs.readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    const check = await page.locator('dd a[href*="/verify/"]').getAttribute('href');
    assert.match(check, /\/verify\/D\d{4}-\d{6}\?ck=[0-9a-f]{32}$/);
    assert.ok(pdf.includes(Buffer.from('FontFile2')), 'the fonts are embedded');

    // Anyone with the link, signed out: what was issued, to whom (initials), valid.
    const stranger = await browser.newContext({ locale: 'ru-RU' });
    const other = await stranger.newPage();
    await other.goto(check);
    await other.getByRole('heading', { name: 'Документ выдан и действителен' }).waitFor();
    await other.getByText('Иванов И. И.').waitFor();
    await checkA11y(other, 'verify: spravka by its link');
    await other.getByLabel('Файл документа').setInputFiles({ name: 'spravka.pdf', mimeType: 'application/pdf', buffer: pdf });
    await other.getByRole('button', { name: 'Сверить' }).click();
    await other.getByRole('heading', { name: 'Файл совпадает с выданным документом' }).waitFor();
    await checkA11y(other, 'verify: the file compared');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
