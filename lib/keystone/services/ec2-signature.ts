import { createHash, createHmac } from 'node:crypto';

/**
 * Request bodies for POST /v3/ec2tokens and /v3/s3tokens, signed the way the clients that call
 * them do: keystoneclient's Ec2Signer (keystoneclient/contrib/ec2/utils.py, used by
 * keystonemiddleware's ec2_token filter) and swift's s3api / keystonemiddleware's s3_token
 * (string-to-sign sent url-safe base64 in `token`). Keystone recomputes the same signature from
 * the stored secret (keystone/api/ec2tokens.py, keystone/api/s3tokens.py).
 */

/** What an EC2 API server forwards to Keystone: the signed request's parts and its signature. */
export interface Ec2TokenCredentials {
  access: string;
  host: string;
  verb: string;
  path: string;
  params: Record<string, string>;
  headers?: Record<string, string>;
  body_hash?: string;
  signature: string;
}

export interface SignedRequest {
  access: string;
  secret: string;
  host?: string;
  verb?: string;
  path?: string;
  /** Defaults to now; Keystone rejects requests older than [credential] auth_ttl (15 min). */
  date?: Date;
}

/** Python's urllib.parse.quote(value, safe='-_~'): RFC 3986 unreserved characters stay, the rest is %XX. */
function awsQuote(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Ec2Signer._canonical_qs: keys sorted by code point, key and value quoted. */
export function canonicalQueryString(params: Record<string, string>): string {
  return Object.keys(params)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((k) => `${awsQuote(k)}=${awsQuote(params[k]!)}`)
    .join('&');
}

const hmac = (key: string | Buffer, data: string | Buffer, alg: 'sha1' | 'sha256' = 'sha256') => createHmac(alg, key).update(data).digest();
const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** ISO 8601 without milliseconds, as AWS query APIs send Timestamp. */
const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
/** YYYYMMDDTHHMMSSZ, the X-Amz-Date format. */
const amzDate = (d: Date) => isoSeconds(d).replace(/[-:]/g, '');

/** AWS signature version 2 (HmacSHA256 over verb, host, path and the canonical query string). */
export function ec2SignatureV2Body(req: SignedRequest, extraParams: Record<string, string> = {}): { credentials: Ec2TokenCredentials } {
  const verb = req.verb ?? 'GET';
  const host = req.host ?? 'ec2.gate.invalid:8773';
  const path = req.path ?? '/';
  const params: Record<string, string> = {
    AWSAccessKeyId: req.access,
    Action: 'DescribeInstances',
    SignatureMethod: 'HmacSHA256',
    SignatureVersion: '2',
    Timestamp: isoSeconds(req.date ?? new Date()),
    Version: '2010-08-31',
    ...extraParams,
  };
  const stringToSign = `${verb}\n${host}\n${path}\n${canonicalQueryString(params)}`;
  const signature = hmac(req.secret, stringToSign).toString('base64');
  return { credentials: { access: req.access, host, verb, path, params, signature } };
}

/**
 * AWS signature version 4 with the Authorization header (Ec2Signer._calc_signature_4): signed
 * headers host and x-amz-date, empty body, credential scope <date>/<region>/ec2/aws4_request.
 */
export function ec2SignatureV4Body(req: SignedRequest & { region?: string; service?: string }): { credentials: Ec2TokenCredentials } {
  const verb = req.verb ?? 'GET';
  const host = req.host ?? 'ec2.gate.invalid:8773';
  const path = req.path ?? '/';
  const region = req.region ?? 'RegionOne';
  const service = req.service ?? 'ec2';
  const params: Record<string, string> = { Action: 'DescribeInstances', Version: '2010-08-31' };
  const xAmzDate = amzDate(req.date ?? new Date());
  const day = xAmzDate.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const signedHeaders = 'host;x-amz-date';
  const bodyHash = sha256Hex('');
  // Ec2Signer leaves the query string out of a POST's canonical request (parameters are in the body).
  const canonicalQs = verb.toUpperCase() === 'POST' ? '' : canonicalQueryString(params);
  const canonicalHeaders = `host:${host}\nx-amz-date:${xAmzDate}\n`;
  const canonicalRequest = [verb.toUpperCase(), path, canonicalQs, canonicalHeaders, signedHeaders, bodyHash].join('\n');
  const stringToSign = ['AWS4-HMAC-SHA256', xAmzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${req.secret}`, day), region), service), 'aws4_request');
  const signature = hmac(key, stringToSign).toString('hex');
  const headers = {
    Host: host,
    'X-Amz-Date': xAmzDate,
    Authorization: `AWS4-HMAC-SHA256 Credential=${req.access}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
  return { credentials: { access: req.access, host, verb, path, params, headers, body_hash: bodyHash, signature } };
}

export interface S3TokenCredentials {
  access: string;
  /** The string-to-sign, url-safe base64 (what s3api sends). */
  token: string;
  signature: string;
}

const urlsafeB64 = (s: string) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_');

/** S3 signature v2 ("v1" in keystone/api/s3tokens.py): base64 HMAC-SHA1 of the S3 string-to-sign. */
export function s3SignatureV2Body(req: SignedRequest & { bucketPath?: string }): { credentials: S3TokenCredentials } {
  const date = (req.date ?? new Date()).toUTCString();
  const stringToSign = `${req.verb ?? 'GET'}\n\n\n${date}\n${req.bucketPath ?? '/gate-bucket/gate-object'}`;
  const signature = hmac(req.secret, stringToSign, 'sha1').toString('base64');
  return { credentials: { access: req.access, token: urlsafeB64(stringToSign), signature } };
}

/** S3 signature v4: the 4-line string-to-sign with an <date>/<region>/s3/aws4_request scope, hex signature. */
export function s3SignatureV4Body(req: SignedRequest & { region?: string; bucketPath?: string }): { credentials: S3TokenCredentials } {
  const xAmzDate = amzDate(req.date ?? new Date());
  const day = xAmzDate.slice(0, 8);
  const region = req.region ?? 'RegionOne';
  const canonicalRequest = `${req.verb ?? 'GET'}\n${req.bucketPath ?? '/gate-bucket/gate-object'}\n\nhost:s3.gate.invalid\n\nhost\n${sha256Hex('')}`;
  const stringToSign = ['AWS4-HMAC-SHA256', xAmzDate, `${day}/${region}/s3/aws4_request`, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${req.secret}`, day), region), 's3'), 'aws4_request');
  const signature = hmac(key, stringToSign).toString('hex');
  return { credentials: { access: req.access, token: urlsafeB64(stringToSign), signature } };
}
