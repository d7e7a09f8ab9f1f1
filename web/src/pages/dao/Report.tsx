import { DaoReportCard } from '../../components/DaoReportCard.tsx';
import type { TabProps } from './common.ts';

/** The DAO's governance report (loaded when the tab opens: a report may be written on first read). */
export default function Report({ dao }: TabProps) {
  return (
    <div className="max-w-4xl">
      <DaoReportCard dao={dao.slug} />
    </div>
  );
}
