import { Link } from 'react-router-dom';
import { EmptyState } from '../components/ui.tsx';

export default function NotFound() {
  return (
    <EmptyState title="Page not found" icon="?">
      There is no page at this address.{' '}
      <Link className="text-accent underline" to="/">
        Go to the overview
      </Link>
      .
    </EmptyState>
  );
}
