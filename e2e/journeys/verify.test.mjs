// Public signature check (SPEC E4): a document signed with a key of the demo's test authority
// (`sep ca sign`) is checked by a signed-out browser at /verify — valid, then the same
// signature over another document — every page checked with axe-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDemo, launch, checkA11y, shot, sepBinary } from '../lib.mjs';

function sep(args) {
  const r = spawnSync(sepBinary(), args, { encoding: 'utf8', env: { ...process.env, SEP_LOG_LEVEL: 'warn' } });
  assert.equal(r.status, 0, `sep ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

test('a signed-out visitor checks a document and its signature at /verify', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const ca = join(demo.dataDir, 'ca');
    sep(['ca', '--dir', ca, 'issue', '--kind', 'user', '--name', 'ivanov', '--subject', 'CN=Иванов Иван Иванович']);
    const doc = join(demo.dataDir, 'spravka.pdf');
    const other = join(demo.dataDir, 'other.pdf');
    writeFileSync(doc, '%PDF-1.7\nСправка\n');
    writeFileSync(other, '%PDF-1.7\nДругой документ\n');
    sep(['ca', '--dir', ca, 'sign', '--name', 'ivanov', doc]);

    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await page.goto(`${demo.portal}/verify`);
    await page.getByText('Адрес этой страницы').waitFor();
    await checkA11y(page, 'verify: form');
    await page.getByLabel('Документ', { exact: true }).setInputFiles(doc);
    await page.getByLabel('Подпись (.sig)').setInputFiles(`${doc}.sig`);
    await page.getByRole('button', { name: 'Проверить' }).click();
    await page.getByRole('heading', { name: 'Подпись действительна' }).waitFor();
    const valid = await page.content();
    assert.ok(valid.includes('Иванов Иван Иванович') && valid.includes('signature_valid'), 'the signer and the code');
    await checkA11y(page, 'verify: valid');
    await shot(page, 'verify-valid');

    await page.getByLabel('Документ', { exact: true }).setInputFiles(other);
    await page.getByLabel('Подпись (.sig)').setInputFiles(`${doc}.sig`);
    await page.getByRole('button', { name: 'Проверить' }).click();
    await page.getByRole('heading', { name: 'Подпись недействительна' }).waitFor();
    assert.ok((await page.content()).includes('signature_mismatch'));
    await checkA11y(page, 'verify: not valid');

    const pem = await (await fetch(`${demo.portal}/verify/ca.pem`)).text();
    assert.ok(pem.startsWith('-----BEGIN CERTIFICATE-----'), 'the authority is downloadable');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
