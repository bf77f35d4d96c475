// «Электронный ящик» (issue 17): a citizen adds a counterparty by ИНН, writes to an agency — the
// draft kept as they type — and signs the message and its PDF with one SMS code; a stranger
// checks the PDF's signature at /verify; the agency's officer answers in a second browser (the
// answer signed with the agency's key), the citizen's open cabinet counts the answer live, the
// citizen reads it, finds the conversation by another form of a word («декларацию» finds
// «декларация») and archives it — every page checked with axe-core.
import fs from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDemo, launch, checkA11y, shot, signIn } from '../lib.mjs';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

test('a citizen and an agency correspond through the mailbox', async () => {
  const demo = await startDemo();
  const browser = await launch();
  try {
    const citizen = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await signIn(citizen, demo, '+79123456789');
    await citizen.getByRole('link', { name: 'Электронный ящик', exact: true }).click();
    await citizen.getByRole('heading', { name: 'Электронный ящик', level: 1 }).waitFor();
    await checkA11y(citizen, 'mail: inbox');

    // A counterparty by ИНН, checked with ФНС.
    await citizen.getByRole('link', { name: 'Разрешённые получатели и контрагенты' }).click();
    await citizen.getByLabel('ИНН или ОГРН').fill('7701000019');
    await citizen.getByRole('button', { name: 'Добавить' }).click();
    await citizen.getByRole('cell', { name: 'ООО «Ромашка»', exact: true }).waitFor();
    await checkA11y(citizen, 'mail: counterparties');

    // A certificate for the cloud signature.
    await citizen.goto(`${demo.portal}/signature`);
    await citizen.getByRole('button', { name: 'Получить сертификат электронной подписи' }).click();
    await citizen.getByText('Сертификат выпущен').waitFor();

    // To the agency, kept as a draft while typed, then signed with a PDF.
    await citizen.goto(`${demo.portal}/mail/new`);
    await citizen.getByLabel('Кому').selectOption({ label: 'Оператор СЭП' });
    await citizen.getByLabel('Тема').fill('Декларация за 2025 год');
    await citizen.getByLabel('Текст').fill('Направляю декларацию. Подтвердите получение.');
    await citizen.locator('#draft-status', { hasText: 'Черновик сохранён' }).waitFor();
    // The text's save follows the last keystroke by a moment: look until «Черновики» has it.
    const drafts = await citizen.context().newPage();
    let kept = 0;
    for (let i = 0; i < 40 && kept === 0; i += 1) {
      await drafts.goto(`${demo.portal}/mail?folder=drafts`);
      kept = await drafts.getByRole('link', { name: 'Декларация за 2025 год' }).count();
      if (kept === 0) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(kept, 1, 'the draft is kept while typed');
    await drafts.close();
    await citizen.getByLabel('Файлы').setInputFiles({ name: 'декларация.pdf', mimeType: 'application/pdf', buffer: PDF });
    await checkA11y(citizen, 'mail: new message');
    await citizen.getByRole('button', { name: 'Подписать и отправить' }).click();
    await citizen.getByRole('heading', { name: 'Подписание сообщения' }).waitFor();
    await citizen.getByRole('cell', { name: 'декларация.pdf' }).waitFor();
    await checkA11y(citizen, 'mail: signing');
    await shot(citizen, 'mail-signing');
    const outbox = await (await fetch(`${demo.portal}/outbox`)).text();
    const codes = [...outbox.matchAll(/Код (\d{6}) — подпись документа «Сообщение/g)];
    assert.ok(codes.length > 0, 'the code waits in the demo outbox');
    await citizen.getByLabel('Код из SMS').fill(codes[codes.length - 1][1]);
    await citizen.getByRole('button', { name: 'Подписать и отправить' }).click();
    await citizen.getByRole('heading', { name: 'Декларация за 2025 год', level: 1 }).waitFor();
    await citizen.locator('[data-receipt="delivered"]').waitFor();
    await citizen.locator('[data-signed="cloud"]').waitFor();
    const conversation = citizen.url();
    await shot(citizen, 'mail-sent');

    // Anyone checks the PDF's signature at /verify with the file alone.
    const [download] = await Promise.all([
      citizen.waitForEvent('download'),
      citizen.getByRole('link', { name: 'декларация.pdf.sig' }).click(),
    ]);
    const sig = fs.readFileSync(await download.path());
    const check = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await check.goto(`${demo.portal}/verify`);
    await check.getByLabel('Документ').setInputFiles({ name: 'декларация.pdf', mimeType: 'application/pdf', buffer: PDF });
    await check.getByLabel('Подпись (.sig)').setInputFiles({ name: 'декларация.pdf.sig', mimeType: 'application/octet-stream', buffer: sig });
    await check.getByRole('button', { name: 'Проверить' }).click();
    await check.getByRole('heading', { name: 'Подпись действительна' }).waitFor();
    await check.getByText('Иванов Иван Иванович').first().waitFor();

    // The citizen's cabinet stays open while the agency answers.
    await citizen.goto(`${demo.portal}/cabinet`);

    // The officer reads the agency's mail and answers.
    const officer = await (await browser.newContext({ locale: 'ru-RU' })).newPage();
    await signIn(officer, demo, '+79456789012');
    await officer.goto(`${demo.portal}/officer`);
    await officer.getByRole('link', { name: 'Почта ведомства' }).click();
    await officer.getByRole('link', { name: /Декларация за 2025 год/ }).click();
    await officer.getByText('Направляю декларацию.').waitFor();
    await officer.locator('[data-signed="cloud"]').waitFor();
    await checkA11y(officer, 'mail: the agency reads');
    await officer.getByLabel('Текст').fill('Декларация получена и принята к рассмотрению.');
    await officer.getByRole('button', { name: 'Отправить' }).click();
    await officer.getByText('Декларация получена и принята к рассмотрению.').waitFor();

    // The open cabinet counts the answer without a reload; the citizen reads it, and sees that
    // the agency read the letter.
    await citizen.locator('[data-mail-unread="1"]').waitFor();
    await citizen.goto(conversation);
    await citizen.getByText('Декларация получена и принята к рассмотрению.').waitFor();
    await citizen.locator('[data-receipt="read"]').waitFor();
    await citizen.locator('[data-signed="system"]').waitFor();
    await checkA11y(citizen, 'mail: a conversation');
    await shot(citizen, 'mail-conversation');

    // Found by another form of the word.
    await citizen.goto(`${demo.portal}/mail`);
    await citizen.getByLabel('Поиск по переписке').fill('декларацию');
    await citizen.getByRole('button', { name: 'Найти' }).click();
    await citizen.locator('[data-found="2"]').waitFor();
    await checkA11y(citizen, 'mail: search');

    // «В архив», and it leaves the inbox.
    await citizen.goto(conversation);
    await citizen.getByRole('button', { name: 'В архив' }).click();
    await citizen.getByRole('heading', { name: 'Электронный ящик', level: 1 }).waitFor();
    assert.equal(await citizen.getByRole('link', { name: /Декларация за 2025 год/ }).count(), 0, 'not in the inbox');
    await citizen.getByRole('link', { name: 'Архив', exact: true }).click();
    await citizen.getByRole('link', { name: /Декларация за 2025 год/ }).waitFor();
  } finally {
    await browser.close();
    await demo.stop();
  }
});
