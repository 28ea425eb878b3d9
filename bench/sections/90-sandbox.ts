/** The sandbox and UI numbers (bench/sandbox.ts). */
export {sandboxSection as section} from '../sandbox';
