// The fake OSS server's signature checks against the official SDKs' published vectors, so the fake
// is not merely agreeing with ali-oss (both could be wrong the same way).
import { describe, expect, it } from 'vitest';
import { v1CanonicalResource, v1Signature, v1StringToSign, v4CanonicalQuery, v4CanonicalRequest, v4Signature } from './ossSignature';

describe('OSS V1 signature', () => {
  it('matches the official vector (aliyun oss go/java/php SDK v2 SignerV1Test: "OSS ak:kSHKmLxlyEAKtZPkJhG9bZb5k7M=")', () => {
    const sts = v1StringToSign({
      method: 'PUT',
      headers: {
        'content-md5': 'eB5eJF1ptWaXm4bijSPyxw==',
        'content-type': 'text/html',
        'x-oss-meta-author': 'alice',
        'x-oss-meta-magic': 'abracadabra',
        'x-oss-date': 'Wed, 28 Dec 2022 10:27:41 GMT',
      },
      dateLine: 'Wed, 28 Dec 2022 10:27:41 GMT',
      resource: v1CanonicalResource('examplebucket', 'nelson', []),
    });
    expect(sts).toBe(
      'PUT\neB5eJF1ptWaXm4bijSPyxw==\ntext/html\nWed, 28 Dec 2022 10:27:41 GMT\nx-oss-date:Wed, 28 Dec 2022 10:27:41 GMT\nx-oss-meta-author:alice\nx-oss-meta-magic:abracadabra\n/examplebucket/nelson',
    );
    expect(v1Signature('sk', sts)).toBe('kSHKmLxlyEAKtZPkJhG9bZb5k7M=');
  });

  it('keeps only sub-resources in the canonical resource, sorted, value-less ones bare', () => {
    expect(
      v1CanonicalResource('b', 'k/中文.jpg', [
        { name: 'prefix', value: 'x' },
        { name: 'uploadId', value: 'U' },
        { name: 'acl', value: null },
        { name: 'partNumber', value: '2' },
      ]),
    ).toBe('/b/k/中文.jpg?acl&partNumber=2&uploadId=U');
  });
});

describe('OSS V4 signature', () => {
  const query = [
    { name: 'param1', value: 'value1' },
    { name: '+param1', value: 'value3' },
    { name: '|param1', value: 'value4' },
    { name: '+param2', value: '' },
    { name: '|param2', value: '' },
    { name: 'param2', value: '' },
  ];
  const headers = {
    'x-oss-head1': 'value',
    abc: 'value',
    zabc: 'value',
    xyz: 'value',
    'content-type': 'text/plain',
    'x-oss-content-sha256': 'UNSIGNED-PAYLOAD',
  };

  it('matches the official header vector (aliyun-oss-go-sdk TestAuthV4Header: Signature=e21d18da…)', () => {
    const date = '20231216T162057Z';
    const canonicalRequest = v4CanonicalRequest({
      method: 'PUT', bucket: 'bucket', key: '1234+-/123/1.txt', query, headers: { ...headers, 'x-oss-date': date }, additionalHeaders: [], hashedPayload: 'UNSIGNED-PAYLOAD',
    });
    expect(canonicalRequest.split('\n').slice(0, 3)).toEqual(['PUT', '/bucket/1234%2B-/123/1.txt', '%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2']);
    expect(v4Signature('sk', { date, region: 'cn-hangzhou', canonicalRequest })).toBe('e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe');
  });

  it('matches the official STS vector (TestAuthV4HeaderToken: Signature=b94a3f99…)', () => {
    const date = '20231217T034736Z';
    const canonicalRequest = v4CanonicalRequest({
      method: 'PUT', bucket: 'bucket', key: '1234+-/123/1.txt', query, headers: { ...headers, 'x-oss-date': date, 'x-oss-security-token': 'token' }, additionalHeaders: [], hashedPayload: 'UNSIGNED-PAYLOAD',
    });
    expect(v4Signature('sk', { date, region: 'cn-hangzhou', canonicalRequest })).toBe('b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea');
  });

  it('treats "?delete=" (as ali-oss sends it) like a bare "?delete"', () => {
    expect(v4CanonicalQuery([{ name: 'delete', value: '' }])).toBe(v4CanonicalQuery([{ name: 'delete', value: null }]));
  });
});
