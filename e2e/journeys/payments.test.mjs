// Charges and paying (SPEC P1–P3): a citizen finds the traffic fine with its 50 % discount,
// presses «Оплатить», pays by the 3-D Secure test card with the code from the provider's outbox,
// comes back to «Оплата прошла», gets the signed receipt in «Мои документы» and sees the charge paid; a declined card shows its reason; the
// charge is found by УИН without login — every page checked with axe-core.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, checkA11y, shot, signIn } from '../lib.mjs';

test('a citizen pays a fine with the discount by a 3-D Secure card and sees it paid', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await signIn(page, demo, '+79123456789');
    await page.goto(`${demo.portal}/cabinet`);
    await page.getByRole('link', { name: 'Начисления и платежи', exact: true }).click();
    await page.getByRole('heading', { name: 'Начисления и платежи' }).waitFor();
    await checkA11y(page, 'payments: list');
    await page.getByText('Скидка 50 %').first().waitFor();
    await page.getByRole('link', { name: /Штраф ГИБДД/ }).click();
    await page.getByRole('heading', { name: /Штраф ГИБДД/ }).waitFor();
    await page.locator('.payment-qr svg').waitFor();
    await checkA11y(page, 'payments: a charge with its QR');
    const uin = (await page.locator('dd code').first().textContent()).trim();

    // A declined card: the reason, no money taken.
    await page.getByRole('button', { name: 'Оплатить' }).click();
    await page.getByRole('heading', { name: 'Оплата картой' }).waitFor();
    await checkA11y(page, 'provider: card page');
    await page.getByLabel('Номер карты').fill('2200 0000 0000 0012');
    await page.getByLabel('Срок действия (ММ/ГГ)').fill('12/30');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: /Оплатить/ }).click();
    await page.getByRole('heading', { name: 'Оплата не прошла' }).waitFor();
    await page.getByText('Недостаточно средств').waitFor();
    await checkA11y(page, 'payments: declined');

    // 3-D Secure: the code from the provider's outbox.
    await page.getByRole('link', { name: 'Попробовать оплатить ещё раз' }).click();
    await page.getByRole('button', { name: 'Оплатить' }).click();
    await page.getByLabel('Номер карты').fill('2200 0000 0000 0020');
    await page.getByLabel('Срок действия (ММ/ГГ)').fill('12/30');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: /Оплатить/ }).click();
    await page.getByRole('heading', { name: 'Подтверждение платежа' }).waitFor();
    const outbox = await (await fetch(`${demo.pay}/outbox`)).text();
    const code = outbox.match(/Код (\d{6})/);
    assert.ok(code, 'the 3-D Secure code waits in the provider outbox');
    await page.getByLabel('Код из SMS').fill(code[1]);
    await page.getByRole('button', { name: 'Подтвердить' }).click();
    await page.getByRole('heading', { name: 'Оплата прошла' }).waitFor();
    await page.getByText('2200 00•• •••• 0020').waitFor();
    // The receipt is made by the worker within a second or two.
    for (let i = 0; i < 20 && (await page.getByRole('link', { name: 'Скачать квитанцию (PDF)' }).count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.reload();
    }
    await page.getByRole('link', { name: 'Скачать квитанцию (PDF)' }).waitFor();
    await checkA11y(page, 'payments: paid');
    await shot(page, 'payment-paid');
    await page.goto(`${demo.portal}/documents`);
    await page.getByText('receipt-D', { exact: false }).first().waitFor();
    await page.goto(`${demo.portal}/payments/charges/${uin}`);
    await page.locator('[data-status="paid"]').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Оплатить' }).count(), 0, 'a paid charge is not offered again');

    // Anyone with the УИН, signed out.
    const stranger = await browser.newContext({ locale: 'ru-RU' });
    const other = await stranger.newPage();
    await other.goto(`${demo.portal}/payments/uin?uin=${uin}`);
    await other.getByRole('heading', { name: 'Найдено начисление' }).waitFor();
    await checkA11y(other, 'payments: by УИН');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
