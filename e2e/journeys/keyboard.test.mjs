// The citizen's login with the keyboard only: every step reachable by Tab, visible focus,
// the skip link first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, lastMessage, codeIn, shot } from '../lib.mjs';

/** Presses Tab until the focused element's accessible text contains `text`. */
async function tabTo(page, text) {
  for (let i = 0; i < 40; i++) {
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
  throw new Error(`nothing focusable with "${text}" within 40 Tab presses`);
}

async function focusIsVisible(page) {
  return page.evaluate(() => {
    const s = getComputedStyle(document.activeElement);
    return s.outlineStyle !== 'none' && s.outlineWidth !== '0px';
  });
}

test('a citizen logs in with the keyboard only', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(demo.portal);
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.innerText), 'Перейти к основному содержанию', 'skip link first');
    assert.ok(await focusIsVisible(page), 'focus is visible');
    await tabTo(page, 'Войти через Госуслуги');
    assert.ok(await focusIsVisible(page));
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.idp}/login?**`);
    await tabTo(page, 'Телефон, почта или СНИЛС');
    await page.keyboard.type('+79123456789');
    await tabTo(page, 'Пароль');
    await page.keyboard.type('Demo-Passw0rd');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/login\/code$/);
    const code = codeIn(await lastMessage(demo.idp, 'Код подтверждения входа'));
    await tabTo(page, 'Код подтверждения');
    await page.keyboard.type(code);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Предоставление прав доступа' }).waitFor();
    await tabTo(page, 'Предоставить');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${demo.portal}/terms**`);
    await tabTo(page, 'Принимаю условия');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Здравствуйте, Иван Иванович!' }).waitFor();
    await tabTo(page, 'Выйти');
    assert.ok(await focusIsVisible(page));
    await shot(page, 'keyboard-cabinet-focus');
  } finally {
    await browser.close();
    await demo.stop();
  }
});
