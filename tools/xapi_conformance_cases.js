// Print, as JSON, the statement cases of ADL's LRS conformance suite (its table-driven
// test/<version>/configs/*.js merged with test/<version>/templates/** exactly as its helper.js
// does), for tests/tracking/test_xapi_conformance.py. The suite stays outside this repository:
//   node tools/xapi_conformance_cases.js "$LRS_SUITE_DIR/test/v1_0_3"
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const T = path.join(dir, 'templates'), C = path.join(dir, 'configs');
function isPlain(o){return o!==null && typeof o==='object' && Object.prototype.toString.call(o)==='[object Object]';}
function extend(target, source){ // jQuery deep extend (npm "extend")
  for (const key in source){ const src=target[key], copy=source[key];
    if (target===copy) continue;
    if (copy && (isPlain(copy)||Array.isArray(copy))){
      let clone = Array.isArray(copy) ? (Array.isArray(src)?src:[]) : (isPlain(src)?src:{});
      target[key]=extend(clone, copy);
    } else if (copy!==undefined) target[key]=copy; }
  return target; }
function mapping(){ const m={}; for (const f of fs.readdirSync(T)){ m[f]={}; for (const g of fs.readdirSync(path.join(T,f))){ if (g.indexOf('.json')<=0) continue; m[f][g.slice(0,g.indexOf('.json'))]=JSON.parse(fs.readFileSync(path.join(T,f,g),'utf8')); } } return m; }
function convert(list){ const m=mapping(); return list.map(item=>{ const k=Object.keys(item)[0], v=item[k];
  if (typeof v==='string' && v.indexOf('{{')===0 && v.indexOf('}}')===v.length-2){ let o=m; for (const p of v.slice(2,-2).split('.')){ o=o[p]; if(!o) throw new Error('Not mapped '+v);} return {[k]:o}; } return JSON.parse(JSON.stringify(item)); }); }
function create(arr){ let from={}; arr.reverse(); arr.forEach((to,i)=>{ if(i===0){from=to;return;} extend(to[Object.keys(to)[0]], from); from=to; }); return from; }
const Module=require('module'); const origLoad=Module._load;
Module._load=function(req,parent,isMain){ if (req.endsWith('helper.js')) return {generateUUID:(()=>{let n=0;return ()=>'00000000-0000-4000-8000-'+String(++n).padStart(12,'0');})()}; return origLoad.apply(this,arguments); };
const out=[];
for (const f of fs.readdirSync(C).sort()){ if (!f.endsWith('.js')) continue;
  let conf; try { conf=require(path.resolve(C,f)).config(); } catch(e){ console.error('skip',f,e.message); continue; }
  for (const g of conf) for (const t of g.config){
    let data;
    try { if (t.templates){ const o=create(convert(t.templates)); data=o[Object.keys(o)[0]]; } else data=t.json; }
    catch(e){ console.error('bad', f, t.name, e.message); continue; }
    out.push({file:f, group:g.name, name:t.name, expect:t.expect, statement:data===undefined?null:data}); } }
process.stdout.write(JSON.stringify(out, null, 1));
