import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { bodyForMessage, maskBody, maskHeaders, maskSecrets, maskText, registerSecret } from '../lib/keystone/mask.js';

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

test('form-encoded bodies are masked by key (OAuth1 token pairs, verifiers, OAuth2 client secrets)', () => {
  // Used to pass through maskBody as free text: the OAuth1 request token secret reached the attachments.
  const pair = 'oauth_token=3f0c9a1b2c&oauth_token_secret=Zq9vX2mK7pL4&oauth_expires_at=2026-12-02T15:00:00Z';
  const masked = maskBody(pair);
  expect(masked).not.toContain('Zq9vX2mK7pL4');
  expect(masked).not.toContain('3f0c9a1b2c');
  expect(masked).toContain('oauth_expires_at=2026-12-02T15:00:00Z');
  for (const [key, value] of [['oauth_verifier', 'V3rif13r'], ['password', 'pw-8812'], ['secret', 's-7712'], ['client_secret', 'cs-0091'], ['client_assertion', 'ca-5511']]) {
    const text = maskText(`grant_type=client_credentials&${key}=${value}&scope=x`);
    expect(text, key).not.toContain(value);
    expect(text, key).toContain('grant_type=client_credentials');
  }
  // In a query string or a log line too.
  expect(maskText('GET /authorize?oauth_verifier=abc123XYZ&x=1')).not.toContain('abc123XYZ');
});

test('JSON that arrives as a string, or cut short, is masked by key', () => {
  expect(maskBody('{"application_credential": {"secret": "whole-json-s3cret"}}')).not.toContain('whole-json-s3cret');
  expect(maskText('body: {"password": "cut-sh0rt-pw", "name": "u')).not.toContain('cut-sh0rt-pw');
  expect(maskText('body: {"password": "cut-sh0rt-pw", "name": "u')).toContain('"name": "u');
});

test('JWS/JWT tokens (three base64url segments) are masked, dotted names are not', () => {
  const jws = 'eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhZG1pbiIsImV4cCI6MTcwMDAwMDAwMH0.MEUCIQDv3x-9_abc';
  expect(maskText(`X-Subject-Token: ${jws} issued`)).toBe('X-Subject-Token: *** issued');
  expect(maskBody({ note: `token ${jws}` })).not.toContain(jws);
  // Unsigned (alg none) still has its trailing dot.
  expect(maskText('eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.')).toBe('***');
  expect(maskText('keystone.common.sql.core and www.example.org')).toBe('keystone.common.sql.core and www.example.org');
});

test('bodies in assertion messages are masked and cut short', () => {
  const msg = bodyForMessage('oauth_token=k1&oauth_token_secret=MsgS3cret99');
  expect(msg).not.toContain('MsgS3cret99');
  expect(bodyForMessage({ user: { password: 'p4ssw0rd-x' }, pad: 'y'.repeat(1000) })).not.toContain('p4ssw0rd-x');
  expect(bodyForMessage({ pad: 'y'.repeat(1000) }).length).toBe(300);
});

test('no assertion or error message in lib/ or suites/ shows a raw body', () => {
  // The rule above, enforced on the source: a body goes into a message through bodyForMessage.
  const files = ['lib', 'suites', 'fixtures'].flatMap((d) => readdirSync(d, { recursive: true }).map(String).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));
  const raw = /(expect\([^;]*,\s*`?[^;]*(JSON\.stringify|String)\(\w+\.body\))|(new Error\([^;]*(JSON\.stringify|String)\(\w+\.body\))/;
  const offenders = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').map((l, i) => [f, i + 1, l] as const)).filter(([, , l]) => raw.test(l));
  expect(offenders.map(([f, n]) => `${f}:${n}`)).toEqual([]);
});

test('Python-repr SQL parameters in a Keystone log line lose their secrets, other values stay', () => {
  // Recorded shape: oslo.db's DEBUG "DB error" line after an injected conflict on INSERT INTO consumer.
  const line = "2026-12-02 15:54:45.437 25 DEBUG oslo_db.api [req-1 req-2 u p - - default default] DB error: [SQL: INSERT INTO consumer (id, description, secret, extra) VALUES (%(id)s, %(description)s, %(secret)s, %(extra)s)] [parameters: {'id': 'df360533e8c04f1d993a6cf478e23dcd', 'description': 'ksgate-consumer-08470c721b', 'secret': '7f26ea624d714b13835bb736449f9094', 'extra': '{}'}]";
  const masked = maskText(line);
  expect(masked).not.toContain('7f26ea624d714b13835bb736449f9094');
  expect(masked).toContain("'secret': '***'");
  expect(masked).toContain("'id': 'df360533e8c04f1d993a6cf478e23dcd'");
  expect(maskText("{'access_secret': 'abc\\'def', 'request_secret': 'x1y2'}")).toBe("{'access_secret': '***', 'request_secret': '***'}");
});
