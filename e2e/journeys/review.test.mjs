// An organisation's registration reviewed by an officer, watched live: the head of
// ООО «Ромашка» applies; an officer, in a second browser context, rejects with a reason; the
// applicant sees it in the open cabinet without reloading, fixes the document and sends again;
// the officer approves; the cabinet shows «Завершено» live.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, checkA11y, shot, lastMessage, codeIn, checkedPages } from '../lib.mjs';

after(() => {
  console.log(`Pages checked with axe-core (${checkedPages.length}):\n  ${checkedPages.join('\n  ')}`);
});

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\n');

async function signIn(page, demo, phone, prefix) {
  await page.goto(`${demo.portal}/login`);
  await page.getByLabel('Телефон, почта или СНИЛС').fill(phone);
  await page.getByLabel('Пароль').fill('Demo-Passw0rd');
  await page.getByRole('button', { name: 'Войти' }).click();
  await page.waitForURL(/\/login\/code$/);
  const code = codeIn(await lastMessage(demo.idp, 'Код подтверждения входа'));
  await page.getByLabel('Код подтверждения').fill(code);
  await page.getByRole('button', { name: 'Продолжить' }).click();
  await page.getByRole('button', { name: 'Предоставить' }).click();
  await page.waitForURL(`${demo.portal}/terms**`);
  await page.getByRole('button', { name: 'Принимаю условия' }).click();
  await page.waitForURL(`${demo.portal}/cabinet`);
  await checkA11y(page, `${prefix}: cabinet`);
}

/** Waits until the first status badge on the page reads `status`, without reloading. */
async function badgeBecomes(page, status) {
  await page.waitForFunction(
    (s) => [...document.querySelectorAll('[data-app-status]')].some((b) => b.textContent === s),
    status,
    { timeout: 10000 },
  );
}

async function upload(page, code, name) {
  const form = page.locator(`#doc-${code}`);
  await form.locator('input[type=file]').setInputFiles({ name, mimeType: 'application/pdf', buffer: PDF });
  await form.getByRole('button', { name: 'Загрузить' }).click();
  await page.locator(`#doc-${code}`).getByText('Принят').first().waitFor();
}

async function send(page, prefix) {
  await page.getByRole('link', { name: 'Проверить и отправить' }).click();
  await page.getByRole('heading', { name: 'Проверка заявления' }).waitFor();
  await checkA11y(page, `${prefix}: check page`);
  await page.getByLabel('Я даю согласие на обработку персональных данных').check();
  await page.getByRole('button', { name: 'Отправить заявление' }).click();
  await page.getByRole('heading', { name: 'Заявление успешно отправлено' }).waitFor();
}

test('an organisation is rejected by an officer, fixes, is approved — watched live', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const applicant = await (await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } })).newPage();
    const officer = await (await browser.newContext({ locale: 'ru-RU', viewport: { width: 1280, height: 900 } })).newPage();
    await signIn(applicant, demo, '+79345678901', 'org');
    await applicant.goto(`${demo.portal}/services/registration`);
    await applicant.getByLabel('Юридическое лицо').check();
    await applicant.getByRole('button', { name: 'Подать заявление' }).click();
    await applicant.getByRole('button', { name: 'Сохранить черновик' }).waitFor();
    const fields = {
      address: 'г. Москва, ул. Лесная, д. 5',
      org_full_name: 'Общество с ограниченной ответственностью «Ромашка»',
      org_inn: '7701000019',
      org_ogrn: '1027700000019',
      org_kpp: '770101001',
      org_okved: '62.01',
      org_responsible: 'Сидоров П. А., генеральный директор',
    };
    for (const [id, value] of Object.entries(fields)) await applicant.locator(`#${id}`).fill(value);
    await applicant.getByRole('button', { name: 'Сохранить черновик' }).click();
    await applicant.getByText('Черновик сохранён').waitFor();
    for (const code of ['passport_scan', 'charter', 'appointment_decision']) await upload(applicant, code, `${code}.pdf`);
    await send(applicant, 'org');
    await applicant.goto(`${demo.portal}/cabinet`);
    // The registry checks pass; an organisation then waits for the agency.
    await badgeBecomes(applicant, 'На проверке');

    await signIn(officer, demo, '+79456789012', 'officer');
    await officer.getByRole('link', { name: 'Очередь заявлений ведомства' }).click();
    await officer.getByRole('heading', { name: 'Очередь заявлений' }).waitFor();
    await checkA11y(officer, 'officer: queue');
    await shot(officer, 'officer-1-queue');
    await shot(officer, 'readme-officer-queue', { fullPage: false });
    await officer.locator('table a').first().click();
    await officer.getByRole('button', { name: 'Взять в работу' }).click();
    await officer.getByRole('button', { name: 'Принять решение' }).waitFor();
    await checkA11y(officer, 'officer: application in work');
    await officer.getByLabel('Отклонить').check();
    await officer.locator('#r-authority_unconfirmed').check();
    await officer.getByLabel('Комментарий для заявителя').fill('Приложите решение участников о назначении директора.');
    await shot(officer, 'officer-2-decision');
    await officer.getByRole('button', { name: 'Принять решение' }).click();
    await officer.getByText('Отклонено', { exact: true }).first().waitFor();
    await checkA11y(officer, 'officer: after the decision');

    // The applicant's open cabinet changes by itself.
    await badgeBecomes(applicant, 'Отклонено');
    await applicant.locator('#notice-list').getByText(/Отклонено/).first().waitFor();
    await checkA11y(applicant, 'org: cabinet after a live update');
    await shot(applicant, 'org-1-rejected-live');
    await applicant.locator('#notices').scrollIntoViewIfNeeded();
    await shot(applicant, 'readme-cabinet-live', { fullPage: false });
    await applicant.locator('#activity a').first().click();
    await applicant.getByRole('heading', { name: 'Что нужно исправить' }).waitFor();
    assert.ok((await applicant.content()).includes('authority_unconfirmed'));
    await shot(applicant, 'readme-rejected-application', { fullPage: false });
    await checkA11y(applicant, 'org: rejected application');
    await upload(applicant, 'appointment_decision', 'решение участников.pdf');
    await send(applicant, 'org again');
    await applicant.goto(`${demo.portal}/cabinet`);
    await badgeBecomes(applicant, 'На проверке');

    // The officer approves; the applicant sees «Завершено» without reloading.
    await officer.reload();
    await officer.getByLabel('Одобрить').check();
    await officer.getByRole('button', { name: 'Принять решение' }).click();
    await badgeBecomes(applicant, 'Завершено');
    await shot(applicant, 'org-2-completed-live');
    await applicant.reload();
    await applicant.getByText('Вы зарегистрированы в СЭП').waitFor();
  } finally {
    await browser.close();
    await demo.stop();
  }
});
