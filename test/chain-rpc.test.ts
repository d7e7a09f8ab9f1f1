import {
  HttpRequestError,
  InternalRpcError,
  InvalidParamsRpcError,
  LimitExceededRpcError,
  RpcRequestError,
} from 'viem';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../src/errors.ts';
import { chainInfo, rpcUrlFor } from '../src/sources/evm/chains.ts';
import { isRangeRejected, isTransient } from '../src/sources/evm/rpc.ts';
import { titleOf } from '../src/sources/governor/proposals.ts';

const rpcError = (code: number, message: string) =>
  new RpcRequestError({ body: {}, url: 'http://rpc', error: { code, message } });

describe('RPC error classification', () => {
  it('retries overload, rate limits and network failures', () => {
    expect(isTransient(new HttpRequestError({ url: 'http://rpc', status: 503 }))).toBe(true);
    expect(isTransient(new HttpRequestError({ url: 'http://rpc', status: 429 }))).toBe(true);
    expect(isTransient(new InternalRpcError(rpcError(-32603, 'internal error')))).toBe(true);
    expect(isTransient(new HttpRequestError({ url: 'http://rpc', cause: new TypeError('fetch failed') }))).toBe(true);
    expect(isTransient(rpcError(-32005, 'project ID request rate exceeded'))).toBe(true);
  });

  it('splits ranges the provider refuses, in the wording of common providers', () => {
    for (const message of [
      'query returned more than 10000 results',
      'eth_getLogs is limited to a 10000 block range',
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range',
      'block range is too wide',
      'exceed maximum block range: 5000',
    ]) {
      expect(isRangeRejected(new InvalidParamsRpcError(rpcError(-32602, message))), message).toBe(true);
      expect(isTransient(new LimitExceededRpcError(rpcError(-32005, message))), message).toBe(false);
    }
  });

  it('neither retries nor splits other errors', () => {
    const error = rpcError(-32602, 'invalid argument 0: hex string without 0x prefix');
    expect(isTransient(error)).toBe(false);
    expect(isRangeRejected(error)).toBe(false);
    expect(isTransient(new HttpRequestError({ url: 'http://rpc', status: 401 }))).toBe(false);
  });
});

describe('chains and titles', () => {
  it('maps chain names and ids to the RPC endpoint configured for the chain id', () => {
    expect(chainInfo('Ethereum')).toMatchObject({ id: 1, llama: 'ethereum', native: 'ETH' });
    expect(chainInfo('42161')).toMatchObject({ id: 42161, llama: 'arbitrum' });
    expect(rpcUrlFor({ 137: 'https://polygon.example' }, 'polygon')).toBe('https://polygon.example');
    expect(() => rpcUrlFor({}, 'ethereum')).toThrow(
      new ValidationError("no RPC endpoint for chain 1 ('ethereum'): set RPC_URL_1"),
    );
    expect(() => chainInfo('atlantis')).toThrow(ValidationError);
  });

  it('takes a proposal title from the first line of its description', () => {
    expect(titleOf('# Fund the grant\n\nDetails')).toBe('Fund the grant');
    expect(titleOf('\n\n  Plain first line  \nmore')).toBe('Plain first line');
    expect(titleOf('')).toBe('Untitled proposal');
  });
});
