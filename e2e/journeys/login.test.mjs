// Journeys that exist today: login to СЭП through the Госуслуги emulator, an unconfirmed
// account, lockout and recovery, and the phone viewport.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, checkA11y, shot, lastMessage, codeIn, checkedPages } from '../lib.mjs';

after(() => {
  console.log(`Pages checked with axe-core (${checkedPages.length}):\n  ${checkedPages.join('\n  ')}`);
});

async function signInAtEmulator(page, demo, phone, password, prefix) {
  await page.getByLabel('Телефон, почта или СНИЛС').fill(phone);
  await page.getByLabel('Пароль').fill(password);
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForURL(/\/login\/code$/);
  await checkA11y(page, `${prefix}: emulator code page`);
  await shot(page, `${prefix}-2-code`);
  const code = codeIn(await lastMessage(demo.idp, 'Код подтверждения входа'));
  await page.getByLabel('Код подтверждения').fill(code);
  await page.getByRole('button', { name: 'Продолжить' }).click();
}

async function citizenLogsIn(viewport, prefix) {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const page = await (await browser.newContext({ viewport, locale: 'ru-RU' })).newPage();
    await page.goto(demo.portal);
    await checkA11y(page, `${prefix}: portal home`);
    await shot(page, `${prefix}-0-home`);
    // Help is open to everyone, from the footer of every page.
    await page.getByRole('link', { name: 'Помощь' }).click();
    await page.getByRole('heading', { name: 'Что означают статусы заявлений' }).waitFor();
    await checkA11y(page, `${prefix}: help`);
    await page.getByRole('link', { name: 'Коды ошибок и что делать' }).click();
    await page.locator('#idp_unreachable').waitFor();
    await checkA11y(page, `${prefix}: error codes`);
    await page.goto(demo.portal);
    await page.getByRole('link', { name: 'Войти через Госуслуги' }).click();
    await page.waitForURL(`${demo.idp}/login?**`);
    await checkA11y(page, `${prefix}: emulator login`);
    await shot(page, `${prefix}-1-login`);
    await signInAtEmulator(page, demo, '+79123456789', 'Demo-Passw0rd', prefix);
    await page.getByRole('heading', { name: 'Предоставление прав доступа' }).waitFor();
    await checkA11y(page, `${prefix}: consent`);
    await shot(page, `${prefix}-3-consent`);
    await page.getByRole('button', { name: 'Предоставить' }).click();
    await page.waitForURL(`${demo.portal}/terms**`);
    await checkA11y(page, `${prefix}: terms`);
    await page.getByRole('button', { name: 'Принимаю условия' }).click();
    await page.waitForURL(`${demo.portal}/cabinet`);
    await page.getByRole('heading', { name: 'Здравствуйте, Иван Иванович!' }).waitFor();
    await checkA11y(page, `${prefix}: cabinet`);
    await shot(page, `${prefix}-4-cabinet`);
    assert.ok((await page.content()).includes('123-456-789 64'));
    await page.getByRole('link', { name: 'История операций', exact: true }).click();
    await page.getByRole('heading', { name: 'История операций' }).waitFor();
    await checkA11y(page, `${prefix}: history`);
    assert.ok((await page.content()).includes('Вход через Госуслуги'));
    await page.getByRole('link', { name: 'Вернуться в кабинет' }).click();
    // «Регистрация в СЭП» from the catalogue: pre-filled from Госуслуги, checked, sent.
    await page.getByRole('link', { name: 'Каталог услуг' }).first().click();
    await checkA11y(page, `${prefix}: catalogue`);
    await page.getByRole('link', { name: 'Регистрация в СЭП' }).click();
    await checkA11y(page, `${prefix}: service page`);
    await page.getByRole('button', { name: 'Подать заявление' }).click();
    await page.getByRole('button', { name: 'Сохранить черновик' }).waitFor();
    await checkA11y(page, `${prefix}: application form`);
    await shot(page, `${prefix}-5-form`);
    assert.equal(await page.locator('#snils').inputValue(), '123-456-789 64', 'pre-filled from Госуслуги');
    // The address is not in the granted data: the citizen types it and saves the draft.
    await page.getByLabel('Адрес регистрации').fill('г. Москва, ул. Тверская, д. 1, кв. 5');
    // A phone other than the one Госуслуги confirmed needs an SMS code (R3).
    await page.locator('#phone').fill('+7 999 111-22-33');
    await page.getByRole('button', { name: 'Сохранить черновик' }).click();
    await page.getByText('Черновик сохранён').waitFor();
    const contacts = page.locator('#contacts');
    await contacts.getByText('Не подтверждён').waitFor();
    await contacts.getByRole('button', { name: 'Отправить код' }).click();
    await page.getByText('Код отправлен по SMS').waitFor();
    const outbox = await (await fetch(`${demo.portal}/outbox`)).text();
    const sms = outbox.match(/Код подтверждения телефона для заявления в СЭП: (\d{6})/);
    assert.ok(sms, 'the code waits in the demo outbox');
    await page.getByLabel('Код из SMS').fill(sms[1]);
    await page.getByRole('button', { name: 'Подтвердить телефон' }).click();
    await page.getByText('Телефон подтверждён.').waitFor();
    await checkA11y(page, `${prefix}: contact confirmed`);
    // A PDF and a JPEG (and a PNG), each recognised by content and shown «Принят».
    const files = [
      ['passport_scan', 'паспорт.pdf', 'application/pdf', Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n')],
      ['snils_scan', 'snils.jpg', 'image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46])],
      ['inn_certificate', 'inn.png', 'image/png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ];
    for (const [code, name, mimeType, buffer] of files) {
      const form = page.locator(`#doc-${code}`);
      await form.locator('input[type=file]').setInputFiles({ name, mimeType, buffer });
      await form.getByRole('button', { name: 'Загрузить' }).click();
      await page.locator(`#doc-${code}`).getByText('Принят').waitFor();
    }
    await checkA11y(page, `${prefix}: form with documents`);
    await page.getByRole('link', { name: 'Проверить и отправить' }).click();
    await page.getByRole('heading', { name: 'Проверка заявления' }).waitFor();
    await checkA11y(page, `${prefix}: check page`);
    await page.getByLabel('Я даю согласие на обработку персональных данных').check();
    await page.getByRole('button', { name: 'Отправить заявление' }).click();
    await page.getByRole('heading', { name: 'Заявление успешно отправлено' }).waitFor();
    await checkA11y(page, `${prefix}: sent`);
    await shot(page, `${prefix}-6-sent`);
    assert.match(await page.content(), /\d{4}-000001/);
    // The registry checks run in the demo's background worker: a citizen's registration
    // completes by itself, and the open page shows it without a reload.
    await page.waitForFunction(
      () => document.querySelector('[data-app-status]')?.textContent === 'Завершено',
      null,
      { timeout: 10000 },
    );
    await shot(page, `${prefix}-6b-completed-live`);
    await page.getByRole('link', { name: 'Мои заявления' }).click();
    await checkA11y(page, `${prefix}: my applications`);
    await page.goto(`${demo.portal}/cabinet`);
    await page.getByText('Вы зарегистрированы в СЭП').waitFor();
    await checkA11y(page, `${prefix}: cabinet with notifications`);
    await shot(page, `${prefix}-7-registered`);
    await shot(page, `readme-${prefix}-cabinet`, { fullPage: false });
    // Settings: notification channels and the look, both checked for accessibility (also in
    // high contrast with the large font), and the contacts page.
    await page.getByRole('link', { name: 'Настройки уведомлений и специальные возможности' }).click();
    await page.getByRole('heading', { name: 'Настройки', exact: true }).waitFor();
    await checkA11y(page, `${prefix}: settings`);
    await page.getByLabel('Высокий контраст').check();
    await page.getByLabel('Крупный шрифт').check();
    await page.getByRole('button', { name: 'Сохранить настройки' }).click();
    await page.getByText('Настройки сохранены.').waitFor();
    await checkA11y(page, `${prefix}: settings in high contrast, large font`);
    await shot(page, `${prefix}-8-settings-contrast`);
    await page.goto(`${demo.portal}/profile/contacts`);
    await checkA11y(page, `${prefix}: contacts`);
    // The phone changed in place in the cabinet's personal data block (C1): a wrong number is
    // refused with the same words as everywhere, the code from the SMS confirms the new one,
    // and the page is never reloaded (a mark left on the window survives).
    await page.goto(`${demo.portal}/cabinet`);
    await page.evaluate(() => { window.sepNoReload = true; });
    const personal = page.locator('#personal');
    await personal.getByText('Изменить телефон').click();
    await personal.getByLabel('Новый мобильный телефон').fill('12');
    await personal.getByRole('button', { name: 'Получить код' }).click();
    await personal.getByText('Номер не похож на мобильный').waitFor();
    await personal.getByLabel('Новый мобильный телефон').fill('+7 999 444-55-66');
    await personal.getByRole('button', { name: 'Получить код' }).click();
    await personal.getByText('Код отправлен на новый номер').waitFor();
    const sent = (await (await fetch(`${demo.portal}/outbox`)).text()).match(/Код для смены телефона в СЭП: (\d{6})/);
    assert.ok(sent, 'the code waits in the demo outbox');
    await personal.getByLabel(/Код из SMS на/).fill(sent[1]);
    await personal.getByRole('button', { name: 'Подтвердить телефон' }).click();
    await personal.getByText('Телефон изменён.').waitFor();
    await personal.getByText(/444-55-66/).waitFor();
    assert.equal(await page.evaluate(() => window.sepNoReload), true, 'changed without reloading the page');
    await checkA11y(page, `${prefix}: personal data changed in place`);
    await shot(page, `${prefix}-8b-phone-changed-in-place`);
    // The same cabinet in English, from the header's switch.
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Personal data' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await checkA11y(page, `${prefix}: cabinet in English`);
    await shot(page, `${prefix}-8c-cabinet-english`);
    await page.getByRole('link', { name: 'Русский' }).click();
    await page.getByRole('heading', { name: 'Личные данные' }).waitFor();
    await page.goto(`${demo.portal}/cabinet`);
    await page.locator('#notices').getByRole('link', { name: /Завершено/ }).click();
    await page.getByText('Услуга активирована.').waitFor();
    await checkA11y(page, `${prefix}: completed application with its journal`);
    await page.goto(`${demo.portal}/cabinet`);
    await page.getByRole('button', { name: 'Выйти' }).click();
    await page.waitForURL(`${demo.portal}/`);
    await page.goto(`${demo.portal}/cabinet`);
    await page.waitForURL(`${demo.idp}/**`);
    assert.ok(page.url().startsWith(`${demo.idp}/login`), 'signed out at both ends: the login starts again');
  } finally {
    await browser.close();
    await demo.stop();
  }
}

test('a confirmed citizen logs in through Госуслуги and out again', async () => {
  await citizenLogsIn({ width: 1280, height: 900 }, 'desktop');
});

test('the same journey on a 360×740 phone', async () => {
  await citizenLogsIn({ width: 360, height: 740 }, 'phone');
});

test('an unconfirmed account is refused with the explaining page', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${demo.portal}/login`);
    await signInAtEmulator(page, demo, '+79234567890', 'Demo-Passw0rd', 'unconfirmed');
    await page.getByRole('button', { name: 'Предоставить' }).click();
    await page.getByRole('heading', { name: 'Учётная запись Госуслуг не подтверждена' }).waitFor();
    await checkA11y(page, 'unconfirmed: refusal page');
    await shot(page, 'unconfirmed-refused');
    assert.ok((await page.content()).includes('account_not_confirmed'));
  } finally {
    await browser.close();
    await demo.stop();
  }
});

test('five wrong passwords lock the account; recovery unlocks it', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${demo.idp}/login`);
    for (let i = 0; i < 5; i++) {
      await page.getByLabel('Телефон, почта или СНИЛС').fill('+79345678901');
      await page.getByLabel('Пароль').fill('Wrong-Passw0rd');
      await page.getByRole('button', { name: 'Войти' }).click();
      await page.getByRole('alert').waitFor();
    }
    assert.ok((await page.content()).includes('Вход временно заблокирован'));
    await checkA11y(page, 'lockout: locked login');
    await shot(page, 'lockout-locked');
    await page.getByRole('link', { name: 'Забыли пароль?' }).click();
    await checkA11y(page, 'lockout: recovery');
    await page.getByLabel('Телефон, почта или СНИЛС').fill('+79345678901');
    await page.getByRole('button', { name: 'Получить код' }).click();
    await page.waitForURL(/\/recovery\/code$/);
    await checkA11y(page, 'lockout: new password');
    const code = codeIn(await lastMessage(demo.idp, 'Код для восстановления'));
    await page.getByLabel('Код подтверждения').fill(code);
    await page.getByLabel('Новый пароль').fill('Fresh-Passw0rd');
    await page.getByLabel('Повторите пароль').fill('Fresh-Passw0rd');
    await page.getByRole('button', { name: 'Сохранить пароль' }).click();
    await page.getByText('Пароль изменён').waitFor();
    await page.getByLabel('Телефон, почта или СНИЛС').fill('+79345678901');
    await page.getByLabel('Пароль').fill('Fresh-Passw0rd');
    await page.getByRole('button', { name: 'Войти' }).click();
    await page.waitForURL(/\/login\/code$/);
  } finally {
    await browser.close();
    await demo.stop();
  }
});
