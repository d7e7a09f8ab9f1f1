import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { EIP1193Provider } from 'viem';

/**
 * Hardhat 2's in-process network (EDR) behind its own JSON-RPC HTTP server on a random port, so
 * the source under test talks real HTTP JSON-RPC through RPC_URL exactly as it would to a node.
 * No hardhat.config file is needed: the config is resolved from a literal.
 */
export interface Chain {
  url: string;
  chainId: number;
  provider: EIP1193Provider;
  close(): Promise<void>;
}

const require = createRequire(import.meta.url);

export async function startChain(chainId = 31337): Promise<Chain> {
  const { resolveConfig } = require('hardhat/internal/core/config/config-resolution') as {
    resolveConfig(path: string, config: unknown): unknown;
  };
  const { createProvider } = require('hardhat/internal/core/providers/construction') as {
    createProvider(config: unknown, network: string): Promise<EIP1193Provider>;
  };
  const { JsonRpcServer } = require('hardhat/internal/hardhat-network/jsonrpc/server') as {
    JsonRpcServer: new (config: {
      hostname: string;
      port: number;
      provider: EIP1193Provider;
    }) => {
      listen(): Promise<{ address: string; port: number }>;
      close(): Promise<void>;
    };
  };
  // Hardhat only needs an existing path to anchor its project paths; nothing is read from it.
  const config = resolveConfig(fileURLToPath(import.meta.url), {
    networks: {
      hardhat: {
        chainId,
        allowUnlimitedContractSize: true,
        // Every block is mined by a transaction or by evm_mine; timestamps advance 1 s per block
        // unless a test moves time.
        mining: { auto: true, interval: 0 },
        loggingEnabled: false,
      },
    },
  });
  const provider = await createProvider(config, 'hardhat');
  const server = new JsonRpcServer({ hostname: '127.0.0.1', port: 0, provider });
  const { address, port } = await server.listen();
  return { url: `http://${address}:${port}`, chainId, provider, close: () => server.close() };
}
