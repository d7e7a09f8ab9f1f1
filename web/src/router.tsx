import { lazy, type ReactNode, Suspense } from 'react';
import { createBrowserRouter, type LoaderFunctionArgs, redirect } from 'react-router-dom';
import { daoQuery, proposalQuery, summaryQuery } from './api/hooks.ts';
import { queryClient } from './api/query-client.ts';
import { Layout } from './components/Layout.tsx';
import { SkeletonRows } from './components/ui.tsx';

// Every page is its own chunk: the first load fetches only the shell and the page opened.
const Overview = lazy(() => import('./pages/Overview.tsx'));
const Daos = lazy(() => import('./pages/Daos.tsx'));
const DaoPage = lazy(() => import('./pages/Dao.tsx'));
const Proposal = lazy(() => import('./pages/Proposal.tsx'));
const Compare = lazy(() => import('./pages/Compare.tsx'));
const Voter = lazy(() => import('./pages/Voter.tsx'));
const Sources = lazy(() => import('./pages/Sources.tsx'));
const SignIn = lazy(() => import('./pages/SignIn.tsx'));
const Account = lazy(() => import('./pages/Account.tsx'));
const Keys = lazy(() => import('./pages/Keys.tsx'));
const Users = lazy(() => import('./pages/Users.tsx'));
const Audit = lazy(() => import('./pages/Audit.tsx'));
const Notifications = lazy(() => import('./pages/Notifications.tsx'));
const Operations = lazy(() => import('./pages/Operations.tsx'));
const NotFound = lazy(() => import('./pages/NotFound.tsx'));

/**
 * Starts a page's main requests while its code chunk downloads (the loader does not wait for
 * them; the page reads them from the query cache).
 */
const prefetch =
  (
    queries: (
      args: LoaderFunctionArgs,
    ) => { queryKey: unknown[]; queryFn: (c: { signal: AbortSignal }) => Promise<unknown> }[],
  ) =>
  (args: LoaderFunctionArgs) => {
    for (const query of queries(args)) void queryClient.prefetchQuery(query);
    return null;
  };

/** The product documentation's paths (/dao, /dao/{id}, /dao/compare) lead to the dashboard's own, query string kept. */
const moved =
  (to: (params: LoaderFunctionArgs['params']) => string) =>
  ({ params, request }: LoaderFunctionArgs) =>
    redirect(`${to(params)}${new URL(request.url).search}`);

const page = (element: ReactNode) => <Suspense fallback={<SkeletonRows rows={8} />}>{element}</Suspense>;

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: page(<Overview />) },
      { path: '/daos', element: page(<Daos />) },
      {
        path: '/daos/:slug',
        element: page(<DaoPage />),
        loader: prefetch(({ params }) => [daoQuery(params.slug!), summaryQuery(params.slug!)]),
      },
      {
        path: '/proposals/:id',
        element: page(<Proposal />),
        loader: prefetch(({ params }) => [proposalQuery(params.id!)]),
      },
      { path: '/voters/:address', element: page(<Voter />) },
      { path: '/compare', element: page(<Compare />) },
      { path: '/dao', loader: moved(() => '/daos') },
      { path: '/dao/compare', loader: moved(() => '/compare') },
      { path: '/dao/:id', loader: moved((params) => `/daos/${encodeURIComponent(params.id!)}`) },
      { path: '/sources', element: page(<Sources />) },
      { path: '/signin', element: page(<SignIn />) },
      { path: '/account', element: page(<Account />) },
      { path: '/keys', element: page(<Keys />) },
      { path: '/users', element: page(<Users />) },
      { path: '/audit', element: page(<Audit />) },
      { path: '/notifications', element: page(<Notifications />) },
      { path: '/operations', element: page(<Operations />) },
      { path: '*', element: page(<NotFound />) },
    ],
  },
]);
