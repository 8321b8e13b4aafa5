/**
 * Per-region Kubernetes label selectors as the chaos settings take them:
 * `RegionOne=app=galera,instance=galera-0;RegionTwo=...`. Equality terms only, since Chaos Mesh's
 * labelSelectors is a plain map: a set-based term (`in`, `!=`, `!key`) would be misread, so it
 * is refused.
 */

/** Region name -> the labels (all must match) of that region's pod. */
export type RegionSelectors = Record<string, Record<string, string>>;

const LABEL_NAME = /^(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_PREFIX = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const TERM = /^([^=!\s]+)\s*==?\s*([^=!\s]+)$/;

/** Throws with a message saying which entry or term is wrong. */
export function parseRegionSelectors(value: string): RegionSelectors {
  const out: RegionSelectors = {};
  const entries = value.split(';').map((e) => e.trim()).filter(Boolean);
  if (!entries.length) throw new Error('empty: give REGION=key=value[,key=value][;REGION=...]');
  for (const entry of entries) {
    const at = entry.indexOf('=');
    const region = at > 0 ? entry.slice(0, at).trim() : '';
    if (!region) throw new Error(`"${entry}" is not REGION=key=value[,key=value]`);
    if (Object.hasOwn(out, region)) throw new Error(`region ${region} is given twice`);
    out[region] = parseLabelSelector(region, entry.slice(at + 1));
  }
  return out;
}

function parseLabelSelector(region: string, selector: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const term of selector.split(',').map((t) => t.trim())) {
    const m = TERM.exec(term);
    if (!m || !isLabelKey(m[1]!) || !LABEL_NAME.test(m[2]!)) {
      throw new Error(`${region}: "${term}" is not a label key=value (only equality selectors: Chaos Mesh labelSelectors is a map)`);
    }
    if (Object.hasOwn(labels, m[1]!)) throw new Error(`${region}: label ${m[1]} is given twice`);
    labels[m[1]!] = m[2]!;
  }
  return labels;
}

/** `name` or `prefix/name`, the prefix a DNS subdomain (Kubernetes label key syntax). */
function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  return LABEL_NAME.test(key.slice(slash + 1)) && (slash < 0 || LABEL_PREFIX.test(key.slice(0, slash)));
}
