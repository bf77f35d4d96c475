// «Мои документы» (SPEC D1): a citizen attaches documents to a draft, finds them in one list
// from the cabinet, narrows it by name, opens one in the browser and downloads two as a ZIP —
// every page checked with axe-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, checkA11y, shot, signIn } from '../lib.mjs';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');

test('a citizen finds, opens and downloads their documents', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const context = await browser.newContext({ locale: 'ru-RU', acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, demo, '+79123456789');
    await page.goto(`${demo.portal}/services/registration`);
    await page.getByRole('button', { name: 'Подать заявление' }).click();
    await page.getByRole('button', { name: 'Сохранить черновик' }).waitFor();
    for (const [code, name] of [['passport_scan', 'паспорт.pdf'], ['snils_scan', 'снилс.pdf']]) {
      const form = page.locator(`#doc-${code}`);
      await form.locator('input[type=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer: PDF });
      await form.getByRole('button', { name: 'Загрузить' }).click();
      await page.locator(`#doc-${code}`).getByText('Принят').first().waitFor();
    }

    await page.goto(`${demo.portal}/cabinet`);
    await page.getByRole('link', { name: 'Мои документы' }).click();
    await page.getByRole('heading', { name: 'Мои документы' }).waitFor();
    await page.getByText('Найдено документов: 2 из 2').waitFor();
    await checkA11y(page, 'documents: all');
    await shot(page, 'documents-archive');
    await page.getByLabel('Название файла').fill('снилс');
    await page.getByRole('button', { name: 'Найти' }).click();
    await page.getByText('Найдено документов: 1 из 2').waitFor();
    await checkA11y(page, 'documents: found');
    const href = await page.getByRole('link', { name: 'снилс.pdf', exact: true }).getAttribute('href');
    const opened = await page.request.get(`${demo.portal}${href}`);
    assert.ok(opened.headers()['content-disposition'].startsWith('inline'), 'a PDF opens in the browser');

    await page.goto(`${demo.portal}/documents`);
    for (const box of await page.getByRole('checkbox').all()) await box.check();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Скачать выбранные (ZIP)' }).click(),
    ]);
    const path = await download.path();
    const bytes = await import('node:fs').then((fs) => fs.readFileSync(path));
    assert.equal(bytes.subarray(0, 4).toString('hex'), '504b0304', 'a ZIP');
    assert.ok(bytes.includes(Buffer.from('паспорт.pdf')) && bytes.includes(Buffer.from('снилс.pdf')), 'both documents inside');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
