/**
 * The eligibility service behind `RESOURCE_CATALOG`: AssetInventory (the
 * default) or PolicyAnalyzer. Both give the same answers (the parity tests
 * hold them to it); they differ in the Google API calls they make.
 */
import type {Config} from '../config';
import {makeAssetInventoryCatalog} from './asset-inventory-catalog';
import type {CatalogDeps} from './catalog-deps';
import {makePolicyAnalyzerCatalog} from './policy-analyzer-catalog';
import type {EligibilityService} from './types';

export type {CatalogDeps} from './catalog-deps';
export {makeAssetInventoryCatalog} from './asset-inventory-catalog';
export {makePolicyAnalyzerCatalog} from './policy-analyzer-catalog';

/** Builds the catalog that `catalog` names (config.catalog). */
export function makeEligibilityService(
  catalog: Config['catalog'],
  deps: CatalogDeps,
): EligibilityService {
  switch (catalog) {
    case 'AssetInventory':
      return makeAssetInventoryCatalog(deps);
    case 'PolicyAnalyzer':
      return makePolicyAnalyzerCatalog(deps);
  }
}
