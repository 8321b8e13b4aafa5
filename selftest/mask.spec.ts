import { expect, test } from '@playwright/test';
import { maskBody, maskHeaders, maskSecrets, maskText, registerSecret } from '../lib/keystone/mask.js';

test('passwords, secrets and token fields are masked at any depth', () => {
  const body = { auth: { identity: { password: { user: { name: 'u', password: 'hunter22' } } } }, application_credential: { secret: 's3cr3t', name: 'ok' }, credential: { blob: '{"access":"a","secret":"b"}' } };
  const masked = JSON.stringify(maskSecrets(body));
  expect(masked).not.toContain('hunter22');
  expect(masked).not.toContain('s3cr3t');
  expect(masked).not.toContain('"access":"a"');
  expect(masked).toContain('"name":"u"');
  expect(masked).toContain('"name":"ok"');
});

test('token headers are masked, others kept', () => {
  const h = maskHeaders({ 'X-Auth-Token': 'gAAAAA123', 'x-subject-token': 'gAAAAB', 'content-type': 'application/json' });
  expect(h['X-Auth-Token']).toBe('***');
  expect(h['x-subject-token']).toBe('***');
  expect(h['content-type']).toBe('application/json');
});

test('free text loses registered secrets and fernet tokens', () => {
  registerSecret('Adm1nPassw0rd');
  const token = 'gAAAAABrB1icO7KDW6UgBgGA6Fz1auE82ORoXDuqWSX7PeQ7L36yKTLKM0F1ePcrlqKC3N2jUEzj8QO2';
  const text = maskText(`login with Adm1nPassw0rd got ${token} ok`);
  expect(text).toBe('login with *** got *** ok');
  expect(maskBody('{"password": "Adm1nPassw0rd"}')).not.toContain('Adm1nPassw0rd');
});
