import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter } from 'react-router-dom';

/**
 * Renders `ui` as the app would hold it: a fresh query client (no retries, so a refused request
 * shows at once) and, given `path`, a router at that URL.
 */
export function renderInApp(ui: ReactNode, path?: string) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      {path === undefined ? ui : <MemoryRouter initialEntries={[path]}>{ui}</MemoryRouter>}
    </QueryClientProvider>,
  );
}
