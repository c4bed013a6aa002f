import { createRequire as __madRequire } from 'node:module'; const require = __madRequire(import.meta.url);
import{require_dist_cjs}from"./chunk-2NHB2HCF.js";import"./chunk-AMONPISR.js";import"./chunk-O2EBOUI3.js";import"./chunk-6CGVXBVB.js";export default require_dist_cjs();
