// The citizen's whole journey with the keyboard only: login through Госуслуги, «Регистрация
// в СЭП» with documents chosen through the file dialog, consent, sending, and the status
// turning «Завершено» live. Every step reachable by Tab, visible focus, the skip link first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, lastMessage, codeIn, shot, checkA11y } from '../lib.mjs';

/** Presses Tab until the focused element's accessible text contains `text`. */
async function tabTo(page, text) {
  for (let i = 0; i < 150; i++) {
    await page.keyboard.press('Tab');
    const label = await page.evaluate(() => {
      const el = document.activeElement;
      if (!el) return '';
      const own = el.innerText || el.value || '';
      const byLabel = el.id ? document.querySelector(`label[for="${el.id}"]`)?.innerText || '' : '';
      return `${own} ${byLabel}`.trim();
    });
    if (label.includes(text)) return;
  }
  throw new Error(`nothing focusable with "${text}" within 150 Tab presses`);
}

async function focusIsVisible(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== 'none' && s.outlineWidth !== '0px';
  });
}

test('a citizen registers with the keyboard only', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(demo.portal);
    await checkA11y(page, 'keyboard: home');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.innerText), 'Перейти к основному содержанию', 'skip link first');
    assert.ok(await focusIsVisible(page), 'focus is visible');
    await tabTo(page, 'Войти через Госуслуги');
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.idp}/login?**`);
    await checkA11y(page, 'keyboard: emulator login');
    await tabTo(page, 'Телефон, почта или СНИЛС');
    await page.keyboard.type('+79123456789');
    await tabTo(page, 'Пароль');
    await page.keyboard.type('Demo-Passw0rd');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login\/code$/);
    await checkA11y(page, 'keyboard: code page');
    const code = codeIn(await lastMessage(demo.idp, 'Код подтверждения входа'));
    await tabTo(page, 'Код подтверждения');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Предоставление прав доступа' }).waitFor();
    await checkA11y(page, 'keyboard: consent');
    await tabTo(page, 'Предоставить');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.portal}/terms**`);
    await checkA11y(page, 'keyboard: terms');
    await tabTo(page, 'Принимаю условия');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Здравствуйте, Иван Иванович!' }).waitFor();
    await checkA11y(page, 'keyboard: cabinet');
    await tabTo(page, 'Выйти');
    assert.ok(await focusIsVisible(page));
    await shot(page, 'keyboard-cabinet-focus');

    // «Регистрация в СЭП», by keyboard from the cabinet to «Завершено».
    await tabTo(page, 'Каталог услуг');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.portal}/services**`);
    await checkA11y(page, 'keyboard: catalogue');
    await tabTo(page, 'Регистрация в СЭП');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.portal}/services/registration`);
    await checkA11y(page, 'keyboard: service page');
    await tabTo(page, 'Подать заявление');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Сохранить черновик' }).waitFor();
    await tabTo(page, 'Адрес регистрации');
    await page.keyboard.type('г. Москва, ул. Тверская, д. 1');
    await tabTo(page, 'Сохранить черновик');
    await page.keyboard.press('Enter');
    await page.getByText('Черновик сохранён').first().waitFor();
    await checkA11y(page, 'keyboard: application form');
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');
    const docs = [
      ['passport_scan', 'Паспорт (разворот с фотографией)'],
      ['snils_scan', 'СНИЛС'],
      ['inn_certificate', 'Свидетельство о постановке на учёт (ИНН)'],
    ];
    for (const [code, doc] of docs) {
      // After an upload the page reloads and its script may move focus once loaded: wait for
      // that, then reach the file input by Tab, and try again if focus moved under the key.
      await page.waitForLoadState('load');
      let chooser = null;
      for (let attempt = 0; attempt < 3 && !chooser; attempt++) {
        await tabTo(page, `Файл: ${doc}`);
        [chooser] = await Promise.all([
          page.waitForEvent('filechooser', { timeout: 5000 }).catch(() => null),
          page.keyboard.press('Space'),
        ]);
      }
      assert.ok(chooser, `the file chooser for «${doc}» opens from the keyboard`);
      await chooser.setFiles({ name: 'скан.pdf', mimeType: 'application/pdf', buffer: pdf });
      await page.keyboard.press('Tab');
      assert.ok(await focusIsVisible(page));
      await page.keyboard.press('Enter');
      await page.waitForURL(`**/applications/*?saved=1#doc-${code}`);
      await page.locator(`#doc-${code}`).getByText('Принят').waitFor();
    }
    assert.equal(await page.getByText('Принят', { exact: true }).count(), 3);
    await tabTo(page, 'Проверить и отправить');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Проверка заявления' }).waitFor();
    await checkA11y(page, 'keyboard: check page');
    await tabTo(page, 'Я даю согласие на обработку персональных данных');
    await page.keyboard.press('Space');
    await tabTo(page, 'Отправить заявление');
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Заявление успешно отправлено' }).waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-app-status]')?.textContent === 'Завершено',
      null,
      { timeout: 10000 },
    );
    await checkA11y(page, 'keyboard: sent, completed live');
    await shot(page, 'keyboard-completed');
  } catch (e) {
    const page = browser.contexts()[0]?.pages()[0];
    if (page) await shot(page, 'keyboard-failed');
    throw new Error(`${e.message}\n at ${page?.url()}`);
  } finally {
    await browser.close();
    await demo.stop();
  }
});
