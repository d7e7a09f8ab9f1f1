import {
  type ColumnDef,
  flexRender,
  getCoreRowModel,
  getSortedRowModel,
  type SortingState,
  useReactTable,
} from '@tanstack/react-table';
import type { ReactNode } from 'react';
import { Button, cx, EmptyState, SkeletonRows } from './ui.tsx';

/** Per-column options: right alignment (numbers), the API sort key, extra classes (e.g. hide on phones). */
export interface ColumnMeta {
  align?: 'right';
  sortKey?: string;
  className?: string;
}

export interface SortState {
  sort: string;
  order: 'asc' | 'desc';
}

interface Props<T> {
  data: T[] | undefined;
  columns: ColumnDef<T, unknown>[];
  /** Server-side sorting: the table only shows the arrows and reports clicks. */
  sort?: SortState;
  onSort?: (next: SortState) => void;
  /** Client-side sorting when no server sort is given. */
  clientSort?: boolean;
  loading?: boolean;
  empty?: ReactNode;
  caption: string;
  rowKey: (row: T) => string | number;
  dense?: boolean;
}

/**
 * One table for every list: sortable headers are buttons (keyboard reachable) with aria-sort,
 * wide tables scroll inside their card on phones.
 */
export function DataTable<T>({
  data,
  columns,
  sort,
  onSort,
  clientSort,
  loading,
  empty,
  caption,
  rowKey,
  dense,
}: Props<T>) {
  const sorting: SortingState = sort ? [{ id: sort.sort, desc: sort.order === 'desc' }] : [];
  const table = useReactTable({
    data: data ?? [],
    columns,
    getCoreRowModel: getCoreRowModel(),
    ...(clientSort ? { getSortedRowModel: getSortedRowModel() } : { manualSorting: true, state: { sorting } }),
    getRowId: (row) => String(rowKey(row)),
  });

  if (loading && !data) return <SkeletonRows />;
  if (data && data.length === 0) return <>{empty ?? <EmptyState title="Nothing here yet" />}</>;

  return (
    // relative: the scroll box must contain absolutely positioned cells' content too (sr-only headers),
    // or a scrolled-off column's label widens the whole page.
    <div className="relative -mx-4 overflow-x-auto sm:mx-0">
      <table className="w-full min-w-max border-collapse text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id} className="border-b border-line">
              {group.headers.map((header) => {
                const meta = header.column.columnDef.meta as ColumnMeta | undefined;
                const sortKey = meta?.sortKey;
                const serverSortable = !!(sortKey && onSort);
                const clientSortable = clientSort && header.column.getCanSort();
                const active = serverSortable ? sort?.sort === sortKey : header.column.getIsSorted();
                const direction = serverSortable
                  ? active
                    ? sort!.order
                    : undefined
                  : header.column.getIsSorted() || undefined;
                const label = flexRender(header.column.columnDef.header, header.getContext());
                return (
                  <th
                    key={header.id}
                    scope="col"
                    aria-sort={direction === 'asc' ? 'ascending' : direction === 'desc' ? 'descending' : undefined}
                    className={cx(
                      'px-4 py-2 text-xs font-semibold tracking-wide whitespace-nowrap text-muted uppercase first:pl-4 sm:first:pl-2',
                      meta?.align === 'right' ? 'text-right' : 'text-left',
                      meta?.className,
                    )}
                  >
                    {serverSortable || clientSortable ? (
                      <button
                        type="button"
                        className={cx(
                          'inline-flex items-center gap-1 uppercase hover:text-text',
                          active && 'text-text',
                        )}
                        onClick={() => {
                          if (serverSortable)
                            onSort!({ sort: sortKey!, order: active && sort!.order === 'desc' ? 'asc' : 'desc' });
                          else header.column.toggleSorting();
                        }}
                      >
                        {label}
                        <span aria-hidden="true" className="text-[10px]">
                          {direction === 'asc' ? '▲' : direction === 'desc' ? '▼' : '↕'}
                        </span>
                      </button>
                    ) : (
                      label
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody className={cx(loading && 'opacity-60 transition-opacity')}>
          {table.getRowModel().rows.map((row) => (
            <tr key={row.id} className="border-b border-line/70 last:border-0 hover:bg-subtle/60">
              {row.getVisibleCells().map((cell) => {
                const meta = cell.column.columnDef.meta as ColumnMeta | undefined;
                return (
                  <td
                    key={cell.id}
                    className={cx(
                      'px-4 first:pl-4 sm:first:pl-2',
                      dense ? 'py-1.5' : 'py-2.5',
                      meta?.align === 'right' && 'text-right tabular-nums',
                      meta?.className,
                    )}
                  >
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Pager({
  page,
  pages,
  total,
  onPage,
  label = 'items',
}: {
  page: number;
  pages: number;
  total: number;
  onPage: (page: number) => void;
  label?: string;
}) {
  const count = `${total.toLocaleString()} ${total === 1 ? label.replace(/s$/, '') : label}`;
  if (pages <= 1) return <div className="mt-3 text-xs text-muted">{count}</div>;
  return (
    <nav aria-label="Pages" className="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm">
      <span className="text-xs text-muted">
        {count} · page {page} of {pages.toLocaleString()}
      </span>
      <div className="flex gap-2">
        <Button onClick={() => onPage(page - 1)} disabled={page <= 1} aria-label="Previous page">
          ← Previous
        </Button>
        <Button onClick={() => onPage(page + 1)} disabled={page >= pages} aria-label="Next page">
          Next →
        </Button>
      </div>
    </nav>
  );
}
