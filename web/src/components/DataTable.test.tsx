// @vitest-environment jsdom

import type { ColumnDef } from '@tanstack/react-table';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client.ts';
import { DataTable, Pager } from './DataTable.tsx';
import { ErrorState } from './ui.tsx';

interface Row {
  name: string;
  votes: number;
}
const rows: Row[] = [
  { name: 'Alpha', votes: 5 },
  { name: 'Beta', votes: 50 },
  { name: 'Gamma', votes: 1 },
];
const columns: ColumnDef<Row, unknown>[] = [
  { id: 'name', header: 'Name', accessorKey: 'name', cell: ({ row }) => row.original.name },
  {
    id: 'votes',
    header: 'Votes',
    accessorKey: 'votes',
    meta: { sortKey: 'votes', align: 'right' },
    cell: ({ row }) => String(row.original.votes),
  },
];

afterEach(cleanup);

describe('DataTable', () => {
  it('renders rows and reports server-side sort clicks with aria-sort', () => {
    const onSort = vi.fn();
    render(
      <DataTable
        caption="t"
        data={rows}
        columns={columns}
        rowKey={(r) => r.name}
        sort={{ sort: 'votes', order: 'desc' }}
        onSort={onSort}
      />,
    );
    expect(screen.getAllByRole('row')).toHaveLength(4);
    const header = screen.getByRole('columnheader', { name: /Votes/ });
    expect(header.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(within(header).getByRole('button'));
    expect(onSort).toHaveBeenCalledWith({ sort: 'votes', order: 'asc' });
    // Name has no sort key: a plain header, not a button.
    expect(within(screen.getByRole('columnheader', { name: 'Name' })).queryByRole('button')).toBeNull();
  });

  it('sorts on the client when asked', () => {
    render(<DataTable caption="t" data={rows} columns={columns} rowKey={(r) => r.name} clientSort />);
    fireEvent.click(within(screen.getByRole('columnheader', { name: /Name/ })).getByRole('button'));
    const names = () =>
      screen
        .getAllByRole('row')
        .slice(1)
        .map((r) => r.textContent);
    const first = names();
    fireEvent.click(within(screen.getByRole('columnheader', { name: /Name/ })).getByRole('button'));
    expect(names()).toEqual([...first].reverse());
  });

  it('shows skeletons while loading and the empty state for no rows', () => {
    const { rerender } = render(
      <DataTable caption="t" data={undefined} loading columns={columns} rowKey={(r) => r.name} />,
    );
    expect(screen.getByRole('status', { name: 'Loading' })).toBeTruthy();
    rerender(
      <DataTable caption="t" data={[]} columns={columns} rowKey={(r) => r.name} empty={<p>Nothing at all</p>} />,
    );
    expect(screen.getByText('Nothing at all')).toBeTruthy();
  });
});

describe('Pager and error states', () => {
  it('pages forward and back within bounds', () => {
    const onPage = vi.fn();
    render(<Pager page={1} pages={3} total={60} onPage={onPage} label="votes" />);
    expect(screen.getByText(/60 votes · page 1 of 3/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Previous page' }) as HTMLButtonElement).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    expect(onPage).toHaveBeenCalledWith(2);
  });

  it('offers a retry for errors, a missing route included', () => {
    const retry = vi.fn();
    const { rerender } = render(
      <ErrorState error={new ApiError(500, 'INTERNAL_ERROR', 'boom')} retry={retry} what="votes" />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledTimes(1);
    // The dashboard and the API are one server: a missing route is an error like any other.
    rerender(
      <ErrorState error={new ApiError(404, 'NOT_FOUND', 'No route GET /api/v1/search')} retry={retry} what="search" />,
    );
    expect(screen.getByRole('alert').textContent).toContain('Could not load search');
    expect(screen.getByText('No route GET /api/v1/search')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(retry).toHaveBeenCalledTimes(2);
  });
});

describe('a page about one thing', () => {
  it('says a missing DAO was not found, without a retry', () => {
    const retry = vi.fn();
    render(
      <MemoryRouter>
        <ErrorState error={new ApiError(404, 'NOT_FOUND', "DAO 'nope' not found")} retry={retry} missing="DAO" />
      </MemoryRouter>,
    );
    expect(screen.getByRole('alert').textContent).toContain('DAO not found');
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull();
    expect(screen.getByRole('link', { name: 'Go to the overview' })).toBeTruthy();
  });
});
