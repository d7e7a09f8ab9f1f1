import { lazy, Suspense, type ReactNode } from 'react';
import { createBrowserRouter } from 'react-router-dom';
import { Layout } from './components/Layout.tsx';
import { SkeletonRows } from './components/ui.tsx';

// Every page is its own chunk: the first load fetches only the shell and the page opened.
const Overview = lazy(() => import('./pages/Overview.tsx'));
const Daos = lazy(() => import('./pages/Daos.tsx'));
const DaoPage = lazy(() => import('./pages/Dao.tsx'));
const Proposal = lazy(() => import('./pages/Proposal.tsx'));
const Compare = lazy(() => import('./pages/Compare.tsx'));
const Sources = lazy(() => import('./pages/Sources.tsx'));
const NotFound = lazy(() => import('./pages/NotFound.tsx'));

const page = (element: ReactNode) => <Suspense fallback={<SkeletonRows rows={8} />}>{element}</Suspense>;

export const router = createBrowserRouter([
  {
    element: <Layout />,
    children: [
      { path: '/', element: page(<Overview />) },
      { path: '/daos', element: page(<Daos />) },
      { path: '/daos/:slug', element: page(<DaoPage />) },
      { path: '/proposals/:id', element: page(<Proposal />) },
      { path: '/compare', element: page(<Compare />) },
      { path: '/sources', element: page(<Sources />) },
      { path: '*', element: page(<NotFound />) },
    ],
  },
]);
