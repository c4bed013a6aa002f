import { createRequire as __madRequire } from 'node:module'; const require = __madRequire(import.meta.url);
import{require_dist_cjs}from"./chunk-R4BCALNP.js";import"./chunk-2XG3VE6W.js";import"./chunk-RE5JARJ6.js";import"./chunk-6CGVXBVB.js";export default require_dist_cjs();
