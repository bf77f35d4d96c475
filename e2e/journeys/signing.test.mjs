// The cloud signature (SPEC E1, E2, E4): a citizen gets a certificate, signs a document of
// «Мои документы» with the SMS code from the outbox, downloads the .sig, and in a signed-out
// browser checks document and signature at /verify — every page checked with axe-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDemo, launch, checkA11y, shot, signIn } from '../lib.mjs';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n% signed in the journey\n');

test('a citizen signs a document with the cloud signature and anyone verifies it', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const context = await browser.newContext({ locale: 'ru-RU', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, demo, '+79123456789');
    await page.goto(`${demo.portal}/services/registration`);
    await page.getByRole('button', { name: 'Подать заявление' }).click();
    await page.getByRole('button', { name: 'Сохранить черновик' }).waitFor();
    const form = page.locator('#doc-passport_scan');
    await form.locator('input[type=file]').setInputFiles({ name: 'паспорт.pdf', mimeType: 'application/pdf', buffer: PDF });
    await form.getByRole('button', { name: 'Загрузить' }).click();
    await page.locator('#doc-passport_scan').getByText('Принят').first().waitFor();

    await page.goto(`${demo.portal}/documents`);
    await page.getByRole('link', { name: 'Электронная подпись: сертификат и подписание' }).click();
    await page.getByRole('heading', { name: 'Электронная подпись', exact: true }).waitFor();
    await checkA11y(page, 'signature: none yet');
    await page.getByRole('button', { name: 'Получить сертификат электронной подписи' }).click();
    await page.getByText('Сертификат выпущен').waitFor();
    await page.getByText('Иванов Иван Иванович').first().waitFor();
    await checkA11y(page, 'signature: issued');
    await shot(page, 'signature-certificate');

    await page.goto(`${demo.portal}/documents`);
    await page.getByRole('button', { name: 'Подписать паспорт.pdf' }).click();
    await page.getByRole('heading', { name: 'Подписание документа' }).waitFor();
    await page.getByText('паспорт.pdf').waitFor();
    await checkA11y(page, 'signing: code');
    await shot(page, 'signing-code');
    const outbox = await (await fetch(`${demo.portal}/outbox`)).text();
    const sms = outbox.match(/Код (\d{6}) — подпись документа/);
    assert.ok(sms, 'the code waits in the demo outbox');
    await page.getByLabel('Код из SMS').fill(sms[1]);
    await page.getByRole('button', { name: 'Подписать' }).click();
    await page.getByText('Подпись добавлена к документу').waitFor();
    await page.getByText('Подписан', { exact: true }).waitFor();
    await page.locator('summary', { hasText: 'Подпись действительна' }).click();
    await checkA11y(page, 'documents: signed');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Скачать подпись \(\.sig\)/ }).click(),
    ]);
    assert.match(download.suggestedFilename(), /паспорт\.pdf\.sig$/);
    const sig = fs.readFileSync(await download.path());

    const stranger = await browser.newContext({ locale: 'ru-RU' });
    const check = await stranger.newPage();
    await check.goto(`${demo.portal}/verify`);
    await check.getByLabel('Документ').setInputFiles({ name: 'паспорт.pdf', mimeType: 'application/pdf', buffer: PDF });
    await check.getByLabel('Подпись (.sig)').setInputFiles({ name: 'паспорт.pdf.sig', mimeType: 'application/octet-stream', buffer: sig });
    await check.getByRole('button', { name: 'Проверить' }).click();
    await check.getByRole('heading', { name: 'Подпись действительна' }).waitFor();
    await check.getByText('Иванов Иван Иванович').first().waitFor();
    await checkA11y(check, 'verify: cloud signature');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
