/** Multi-party approval: see bench/approvals.ts. */
export {approvalsSection as section} from '../approvals';
