// An idle session expires mid-form and the draft survives (SPEC R8, L4): the form saves in
// the background as the person types; after the idle timeout (one minute in this demo) the
// next step asks to sign in again, and the draft comes back with what was typed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, checkA11y, shot, lastMessage, codeIn, checkedPages } from '../lib.mjs';

after(() => {
  console.log(`Pages checked with axe-core (${checkedPages.length}):\n  ${checkedPages.join('\n  ')}`);
});

test('an idle session expires and the draft survives re-login', async () => {
  const demo = await startDemo({ SEP_SESSION_IDLE_MINUTES: '1' });
  const browser = await launch();
  try {
    const page = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await page.goto(`${demo.portal}/login`);
    await page.getByLabel('Телефон, почта или СНИЛС').fill('+79123456789');
    await page.getByLabel('Пароль').fill('Demo-Passw0rd');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/login\/code$/);
    await page.getByLabel('Код подтверждения').fill(codeIn(await lastMessage(demo.idp, 'Код подтверждения входа')));
    await page.getByRole('button', { name: 'Продолжить' }).click();
    await page.getByRole('button', { name: 'Предоставить' }).click();
    await page.getByRole('button', { name: 'Принимаю условия' }).click();
    await page.waitForURL(`${demo.portal}/cabinet`);
    await page.goto(`${demo.portal}/services/registration`);
    await page.getByRole('button', { name: 'Подать заявление' }).click();
    await page.getByRole('button', { name: 'Сохранить черновик' }).waitFor();
    const form = page.url();
    // Typed, never saved by hand: the background save keeps it.
    await page.getByLabel('Адрес регистрации').fill('г. Москва, ул. Арбат, д. 10, кв. 3');
    await page.locator('#draft-status').getByText('Черновик сохранён').waitFor();
    await checkA11y(page, 'draft: autosaved form');
    await shot(page, 'draft-1-autosaved');
    // Away for longer than the idle timeout.
    await page.waitForTimeout(65000);
    await page.getByRole('link', { name: 'Проверить и отправить' }).click();
    // The portal's session is over; the way back goes through Госуслуги (still signed in there).
    try {
      await page.getByRole('heading', { name: 'Проверка заявления' }).waitFor({ timeout: 30000 });
    } catch (e) {
      await shot(page, 'draft-failed');
      throw new Error(`stuck at ${page.url()}: ${(await page.content()).slice(0, 3000)}`);
    }
    assert.match(page.url(), /\/applications\/.+\/check$/, 'back where the person was going');
    assert.ok((await page.content()).includes('г. Москва, ул. Арбат, д. 10, кв. 3'), 'the draft survived');
    await page.goto(form);
    assert.equal(await page.getByLabel('Адрес регистрации').inputValue(), 'г. Москва, ул. Арбат, д. 10, кв. 3');
    await checkA11y(page, 'draft: after signing in again');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
