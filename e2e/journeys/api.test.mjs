// The integration API (issue 18): a citizen issues a personal access token in the cabinet
// («Токены доступа», axe-checked), and schemathesis — an independent tool that reads only the
// served OpenAPI document — sends the API generated requests with that token and with none,
// requiring no server error and every answer to match the document.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { startDemo, launch, checkA11y, signIn } from '../lib.mjs';

test('schemathesis finds no server error in the API', async (t) => {
  const st = process.env.SCHEMATHESIS || 'schemathesis';
  if (spawnSync(st, ['--version']).error) {
    // CI installs it (.ci/run); with every prerequisite required, its absence fails.
    assert.notEqual(process.env.SEP_TEST_ALL, '1', 'SEP_TEST_ALL=1 but schemathesis is missing (pip install schemathesis)');
    t.skip('schemathesis not installed');
    return;
  }
  const demo = await startDemo();
  const browser = await launch();
  try {
    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await signIn(page, demo, '+79123456789');
    await page.getByRole('link', { name: 'Токены доступа' }).click();
    await page.getByLabel('Название').fill('Бухгалтерия');
    // Every scope, so that every route is tried with a token that may call it.
    for (const box of await page.locator('input[name="scope"]').all()) await box.check();
    await page.getByRole('button', { name: 'Выпустить токен' }).click();
    const secret = (await page.locator('[data-secret]').textContent()).trim();
    assert.match(secret, /^sep_pat_[0-9a-f]{64}$/);
    await checkA11y(page, 'tokens: issued');

    // The interactive documentation, under the portal's CSP: the token typed once, an
    // operation tried from the page.
    const violations = [];
    page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) violations.push(m.text()); });
    await page.goto(`${demo.portal}/api/docs`);
    await checkA11y(page, 'api docs');
    await page.getByLabel('Токен доступа для запросов с этой страницы').fill(secret);
    const list = page.locator('#get-api-v1-applications');
    await list.getByRole('button', { name: /Отправить/ }).click();
    await list.locator('[data-status]').filter({ hasText: '200' }).waitFor();
    assert.match(await list.locator('[data-output]').textContent(), /"items"/);
    assert.deepEqual(violations, [], 'nothing refused by the CSP');

    const run = spawnSync(
      st,
      [
        'run', `${demo.portal}/api/v1/openapi.json`,
        '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
        '--header', `Authorization: Bearer ${secret}`,
        '--max-examples', '40',
        '--request-timeout', '10',
      ],
      { encoding: 'utf8', timeout: 300000, env: { ...process.env, NO_COLOR: '1' } },
    );
    assert.equal(run.error, undefined, `schemathesis did not run: ${run.error}`);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
  } finally {
    await browser.close();
    await demo.stop();
  }
});
