import { describe, expect, it } from 'vitest';
import { canonicalQuery, computeSignature, parseAuthorization, signRequest, xDateOf } from './sign';

const AK = 'AKLTMjI2ODVlYzI3ZGY1NGU4ZjhjYWRjMTlmNTM5OTZkYzE';
const SK = 'TnpCak5XWXpZV1U0WkRaaE5ERmxaR0ZpTmpjeVkyUXlZek0wTWpJMU1qWQ==';

describe('Volcengine V4 signing', () => {
  it('reproduces the official vector (protocol notes §1.3, volcengine docs 6369/67270)', () => {
    const s = signRequest({
      method: 'GET',
      host: 'iam.volcengineapi.com',
      query: { Action: 'ListUsers', Version: '2018-01-01', Limit: '10', Offset: '0' },
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
      accessKey: AK,
      secretKey: SK,
      region: 'cn-north-1',
      service: 'iam',
      xDate: '20201230T081805Z',
    });
    expect(s.signedHeaders).toBe('content-type;host;x-content-sha256;x-date');
    expect(s.canonicalRequestSha256).toBe('3a4d4dee07c3308a52da01bc12d7a83c3705bfa543f51648f46de880bb2a7447');
    expect(s.signature).toBe('28eeabbbd726b87002e0fe58ad8c1c768e619b06e2646f35b6ad7ed029a6d8a7');
    expect(s.authorization).toContain(`Credential=${AK}/20201230/cn-north-1/iam/request, SignedHeaders=`);
  });

  it('reproduces the Jimeng-shaped regression vector (§1.4)', () => {
    const s = signRequest({
      method: 'POST',
      host: 'visual.volcengineapi.com:443',
      query: { Action: 'CVSync2AsyncSubmitTask', Version: '2022-08-31' },
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{"req_key":"jimeng_t2i_v40","prompt":"test"}'),
      accessKey: AK,
      secretKey: SK,
      region: 'cn-north-1',
      service: 'cv',
      xDate: '20201230T081805Z',
    });
    expect(s.bodySha256).toBe('63e02c401caf6dacdcf3a0bc4df67c1b05831718b669435102804905b6d9848a');
    expect(s.canonicalRequestSha256).toBe('3f81d5f26e0fb86d3c35b2025617607e044a1a9707c7751ae65b34149056486f');
    expect(s.signature).toBe('9b2084fa0bebc2dd5e78644ce7177e88378dad9879d5267e2ec4d760ba1c6c95');
  });

  it('encodes the query the RFC 3986 way, sorted by key', () => {
    expect(canonicalQuery({ b: 'x y', a: "it's*" })).toBe('a=it%27s%2A&b=x%20y');
  });

  it('formats X-Date and round-trips Authorization for a verifier that uses the client’s SignedHeaders', () => {
    expect(xDateOf(new Date('2020-12-30T08:18:05.123Z'))).toBe('20201230T081805Z');
    const s = signRequest({
      method: 'POST',
      host: '127.0.0.1:8080',
      query: { Action: 'CVSync2AsyncGetResult', Version: '2022-08-31' },
      headers: { 'content-type': 'application/json' },
      body: '{}',
      accessKey: AK,
      secretKey: SK,
      region: 'cn-north-1',
      service: 'cv',
      xDate: '20201230T081805Z',
    });
    const p = parseAuthorization(`${s.authorization}, SignedQueries=Action;Version`)!;
    expect(p).toMatchObject({ accessKey: AK, region: 'cn-north-1', service: 'cv', shortDate: '20201230' });
    const again = computeSignature({
      method: 'POST',
      path: '/',
      query: { Action: 'CVSync2AsyncGetResult', Version: '2022-08-31' },
      headers: s.headers,
      signedNames: p.signedNames,
      bodySha256: s.bodySha256,
      secretKey: SK,
      region: p.region,
      service: p.service,
      xDate: '20201230T081805Z',
    });
    expect(again.signature).toBe(p.signature);
    expect(parseAuthorization('Bearer x')).toBeNull();
  });
});
