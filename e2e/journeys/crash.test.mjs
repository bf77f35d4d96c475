// Never charged twice (SPEC P2, issue 16 point 4): the portal is killed (SIGKILL) while the
// payer is at the provider's 3-D Secure page; the payer confirms, the provider takes the money
// and cannot tell the portal. After a restart on the same data the provider's callback
// (retried until answered) lands: the charge is paid once, with one receipt, and the payer's
// return page agrees. The provider runs as its own process (`sep pay`) so it outlives the portal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, startPay, launch, signIn } from '../lib.mjs';

test('a portal killed between the provider’s success and its own record ends with one payment and one receipt', async () => {
  const pay = await startPay();
  let demo = await startDemo(pay.env);
  const browser = await launch();
  try {
    const context = await browser.newContext({ locale: 'ru-RU' });
    const page = await context.newPage();
    await signIn(page, demo, '+79123456789');
    await page.goto(`${demo.portal}/payments`);
    await page.getByRole('link', { name: /Транспортный налог/ }).click();
    await page.getByRole('heading', { name: /Транспортный налог/ }).waitFor();
    const uin = (await page.locator('dd code').first().textContent()).trim();
    await page.getByRole('button', { name: 'Оплатить' }).click();
    await page.getByRole('heading', { name: 'Оплата картой' }).waitFor();
    const cardPage = page.url();
    assert.ok(cardPage.startsWith(pay.url), 'the separate provider serves the card page');
    await page.getByLabel('Номер карты').fill('2200 0000 0000 0020');
    await page.getByLabel('Срок действия (ММ/ГГ)').fill('12/30');
    await page.getByLabel('CVC').fill('123');
    await page.getByRole('button', { name: /Оплатить/ }).click();
    await page.getByRole('heading', { name: 'Подтверждение платежа' }).waitFor();
    const code = (await (await fetch(`${pay.url}/outbox`)).text()).match(/Код (\d{6})/);
    assert.ok(code, 'the 3-D Secure code waits in the provider outbox');

    // The portal dies; the provider takes the money and finds nobody to tell.
    await demo.crash();
    await page.getByLabel('Код из SMS').fill(code[1]);
    await page.getByRole('button', { name: 'Подтвердить' }).click({ noWaitAfter: true });
    await page.waitForTimeout(1500);

    demo = await startDemo(pay.env, demo);
    // Without the payer doing anything, the retried callback settles the payment and the worker
    // issues the receipt.
    // The receipts «Мои документы» lists, told apart by their file names.
    const receiptsListed = async () => {
      await page.goto(`${demo.portal}/documents`);
      return new Set((await page.content()).match(/receipt-[^"<\s]+?\.pdf/g) || []).size;
    };
    let receipts = 0;
    for (let i = 0; i < 60 && receipts === 0; i++) {
      await page.waitForTimeout(1000);
      receipts = await receiptsListed();
    }
    assert.equal(receipts, 1, 'one receipt after the restart');
    await page.goto(`${demo.portal}/payments/charges/${uin}`);
    await page.locator('[data-status="paid"]').first().waitFor();
    assert.equal(await page.getByRole('button', { name: 'Оплатить' }).count(), 0, 'a paid charge is not offered again');

    // The payer's way back after the restart, and the callback's later retries, change nothing.
    await page.goto(`${demo.portal}/payments/account`);
    const paidRows = await page.locator('tr', { hasText: uin }).count();
    // The provider's page of the finished payment leads the payer back to the portal.
    await page.goto(cardPage);
    await page.getByRole('heading', { name: 'Платёж уже обработан' }).waitFor();
    await page.getByRole('link', { name: 'Вернуться в СЭП' }).click();
    await page.getByRole('heading', { name: 'Оплата прошла' }).waitFor();
    await page.waitForTimeout(3000);
    assert.equal(await receiptsListed(), 1, 'still one receipt');
    await page.goto(`${demo.portal}/payments/account`);
    assert.equal(await page.locator('tr', { hasText: uin }).count(), paidRows, 'no second payment appeared');
  } finally {
    await browser.close();
    await demo.stop();
    await pay.stop();
  }
});
