/**
 * The status page: one self-contained HTML document. Inline CSS and JS, no font, script or image
 * from anywhere else, so it works offline and in locked-down networks (the route also sends a CSP
 * that forbids other origins). It reads /sessions, /timeline and /sinks once, then follows /events.
 * Held-back polls (a paused or refused API key) are no stored event: the page reads /healthz's few bytes
 * every 3 s and re-reads /sessions only when its paused keys change, or on watcher.(un)authorized.
 * A held session shows ⏸ before its failures (a 429 is both): it says why no poll happens now.
 * Rows are virtualised (only those on screen exist in the DOM), so 10,000 sessions render at once.
 * Status is told by text and shape as well as colour.
 * Labels are what gives way in a narrow row: the status, the session's name and its overdue/silenced marks
 * are what on-call needs to see. A timeline bar says "watched since …" over the part of the 7 days before
 * authwatch first saw the session (a fresh install): its status then is unknown, so no colour is drawn there.
 * On a phone, a row's second line shows poll health instead of "since" while polls fail or are held.
 */
const STYLE = `
:root{--bg:#f6f7f9;--fg:#1d2330;--muted:#5d6677;--card:#fff;--line:#e2e5ea;--ok:#1a7f37;--warn:#9a6700;--bad:#cf222e;--gone:#6e40c9;--unk:#57606a;--accent:#0969da;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#8d96a0;--card:#161b22;--line:#30363d;--ok:#3fb950;--warn:#d29922;--bad:#f85149;--gone:#a371f7;--unk:#8d96a0;--accent:#4493f8}}
*{box-sizing:border-box}
html{font-size:clamp(14px,.45vw + 9px,24px)}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header{position:sticky;top:0;z-index:2;background:var(--bg);border-bottom:1px solid var(--line);padding:.6em 1em;display:flex;flex-wrap:wrap;gap:.5em 1.2em;align-items:center}
h1{font-size:1.15em;margin:0;letter-spacing:.02em}
#live{font-size:.8em;color:var(--muted)}#live.on::before{content:"● ";color:var(--ok)}#live.off::before{content:"○ ";color:var(--bad)}
#counts{display:flex;flex-wrap:wrap;gap:.4em}
.chip{border:1px solid var(--line);background:var(--card);color:var(--fg);border-radius:1em;padding:.15em .7em;font:inherit;font-size:.85em;cursor:pointer}
.chip[aria-pressed=true]{outline:2px solid var(--accent)}
#filter{flex:1 1 14em;min-width:10em;font:inherit;padding:.35em .6em;border:1px solid var(--line);border-radius:.4em;background:var(--card);color:var(--fg)}
main{padding:.8em 1em 2em}
#sinks{display:flex;flex-wrap:wrap;gap:.5em;margin-bottom:.8em}
.sink{background:var(--card);border:1px solid var(--line);border-radius:.5em;padding:.35em .7em;font-size:.85em}
.sink b{font-weight:600}
.st{font-weight:600;white-space:nowrap}
.s-READY{color:var(--ok)}.s-PENDING{color:var(--warn)}.s-EXPIRED{color:var(--bad)}.s-NOT_FOUND{color:var(--gone)}.s-other,.s-none{color:var(--unk)}
.grid{display:grid;grid-template-columns:var(--cols);gap:0 1rem;align-items:center;padding:0 .8rem}
:root{--cols:9.5rem minmax(10rem,2.6fr) 6.5rem 6.5rem minmax(8rem,1.2fr) minmax(8rem,1.4fr)}
#head{font-size:.75em;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);padding-bottom:.3em}
#rows{position:relative;background:var(--card);border:1px solid var(--line);border-radius:.5em}
.row{position:absolute;left:0;right:0;height:var(--h);border-bottom:1px solid var(--line);overflow:hidden}
.row:hover{background:color-mix(in srgb,var(--accent) 6%,transparent)}
.name{display:flex;align-items:baseline;overflow:hidden;white-space:nowrap}.name small{color:var(--muted);margin-left:.4em;flex:1 1 0;max-width:max-content}
.nm,.name small{min-width:0;overflow:hidden;text-overflow:ellipsis}
.muted{color:var(--muted)}.bad{color:var(--bad)}
.c-health,.c-since,.c-poll{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.mark{flex:none;font-size:.75em;border:1px solid currentColor;border-radius:.3em;padding:0 .3em;margin-left:.3em}
.tl{position:relative;height:.9em;border-radius:.2em;background:var(--line);overflow:hidden}
.tl span{position:absolute;top:0;bottom:0}.tl i{position:absolute;left:.4em;font:.7em/1.3 system-ui,sans-serif;color:var(--muted);white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.b-READY{background:var(--ok)}.b-PENDING{background:var(--warn)}
.b-EXPIRED{background:repeating-linear-gradient(135deg,var(--bad) 0 4px,transparent 4px 6px)}
.b-NOT_FOUND{background:repeating-linear-gradient(90deg,var(--gone) 0 3px,transparent 3px 5px)}
.b-other{background:var(--unk)}
#empty{padding:2em;text-align:center;color:var(--muted)}
@media (max-width:1200px){:root{--cols:9.5rem minmax(10rem,2.6fr) 6.5rem minmax(8rem,1.2fr) minmax(8rem,1.4fr)}.c-poll{display:none}}
@media (max-width:900px){:root{--cols:8.5rem 1fr 5.5rem}.grid{grid-template-rows:auto auto;gap:.15rem .6rem}#head{display:none}.c-poll,.c-health:not(:has(.bad)),.row:has(.c-health .bad) .c-since{display:none}.name,.c-tl{grid-column:2/-1}.c-since,.c-health{grid-column:1}.c-since,.c-health,.c-tl{grid-row:2}.name{flex-wrap:wrap}.nm{flex-basis:100%}}
`;

const SCRIPT = `
"use strict";
const SHAPES={READY:"●",PENDING:"◆",EXPIRED:"▲",NOT_FOUND:"■"};
const RANK={EXPIRED:0,NOT_FOUND:1,PENDING:3,READY:4};
const DAY=864e5;
const $=(id)=>document.getElementById(id);
let sessions=[],byKey=new Map(),timeline={from:0,now:0,sessions:{}},shown=[],wanted=null,rowH=40,pending=false;
const keyOf=(s)=>s.workspaceId+"/"+s.projectName+"/"+s.authSessionId;
const cls=(st)=>st==null?"none":(SHAPES[st]?st:"other");
const esc=(t)=>String(t).replace(/[&<>"']/g,(c)=>"&#"+c.charCodeAt(0)+";");
function ago(iso){if(!iso)return"—";const s=Math.max(0,(Date.now()-Date.parse(iso))/1e3);
 if(s<60)return Math.floor(s)+" s ago";if(s<3600)return Math.floor(s/60)+" min ago";if(s<86400)return Math.floor(s/3600)+" h ago";return Math.floor(s/86400)+" d ago"}
function exact(iso){return iso?new Date(iso).toLocaleString()+" ("+iso+")":""}
function badge(st){const c=cls(st);return '<span class="st s-'+c+'">'+(SHAPES[st]||(st==null?"○":"?"))+" "+esc(st==null?"not polled yet":st)+"</span>"}
function rank(s){return(s.failures>0||s.held)&&s.status==="READY"?2:(RANK[s.status]??1)}
function marks(s){let m="";for(const o of s.overdue||[])m+='<span class="mark bad" title="'+esc("overdue since "+new Date(o.since).toLocaleString()+(o.reminders?", "+o.reminders+" reminders":""))+'">overdue: '+esc(o.rule)+"</span>";
 const q=s.silenced;if(q)m+='<span class="mark muted" title="'+esc("until "+new Date(q.until).toLocaleString()+(q.reason?": "+q.reason:""))+'">silenced</span>';return m}
function health(s){const e=s.lastError,f=s.failures?s.failures+" failed polls"+(e?"; last: "+e.code+": "+e.message:""):"";
 if(s.held)return'<span class="bad" title="'+esc("polls held back: "+s.held+(f?"; "+f:""))+'">⏸ '+esc(s.held)+"</span>";
 return f?'<span class="bad" title="'+esc(f)+'">✕ '+(e?esc(e.code):"failing")+" ×"+s.failures+"</span>":'<span class="muted">ok</span>'}
function bar(s){const k=keyOf(s),t=timeline.sessions[k],from=timeline.from,span=Date.now()-from;
 let segs=[];if(t){segs.push([from,t.start]);for(const[at,st]of t.changes)segs.push([at,st])}else segs.push([s.since?Math.max(from,Date.parse(s.since)):from,s.status]);
 let h="";for(let i=0;i<segs.length;i++){const[a,st]=segs[i];if(st==null)continue;const b=i+1<segs.length?segs[i+1][0]:Date.now();
  const l=Math.max(0,(a-from)/span*100),w=Math.max(.4,(b-a)/span*100);h+='<span class="b-'+cls(st)+'" style="left:'+l.toFixed(2)+"%;width:"+w.toFixed(2)+'%" title="'+esc(st)+" from "+esc(new Date(a).toLocaleString())+'"></span>'}
 const n=t?t.changes.length:0,seen=(segs.find((x)=>x[1]!=null)||[])[0];let note="";
 if(seen-from>span*.3){const d=new Date(seen);note="watched since "+(Date.now()-seen<DAY?d.toLocaleTimeString([],{timeStyle:"short"}):d.toLocaleDateString([],{month:"short",day:"numeric"}));
  h+='<i style="width:'+((seen-from)/span*100).toFixed(1)+'%" title="'+esc("not watched before "+d.toLocaleString())+'">'+esc(note)+"</i>";note="; "+note}
 return'<div class="tl" role="img" aria-label="last 7 days: '+n+" change"+(n===1?"":"s")+esc(note)+'">'+h+"</div>"}
function rowHtml(s){const labels=Object.entries(s.labels||{}).map(([k,v])=>esc(k+"="+v)).join(" ");
 return'<div class="c-st">'+badge(s.status)+'</div><div class="name"><span class="nm" title="'+esc(keyOf(s))+'">'+esc(s.projectName+"/"+s.authSessionId)+"</span>"+(labels?'<small title="'+labels+'">'+labels+"</small>":"")+marks(s)+
 '</div><div class="c-since" title="'+esc(exact(s.since))+'">'+ago(s.since)+'</div><div class="c-poll muted" title="'+esc(exact(s.lastPollAt))+'">'+ago(s.lastPollAt)+
 '</div><div class="c-health">'+health(s)+'</div><div class="c-tl">'+bar(s)+"</div>"}
function matches(s,q){if(wanted&&cls(s.status)!==wanted)return false;if(!q)return true;
 const hay=(keyOf(s)+" "+(s.status||"")+" "+Object.entries(s.labels||{}).map(([k,v])=>k+"="+v).join(" ")).toLowerCase();return q.split(/\\s+/).every((w)=>hay.includes(w))}
function refilter(){const q=$("filter").value.trim().toLowerCase();shown=sessions.filter((s)=>matches(s,q));
 shown.sort((a,b)=>rank(a)-rank(b)||keyOf(a).localeCompare(keyOf(b)));
 $("rows").style.height=shown.length*rowH+"px";$("empty").hidden=shown.length>0;$("shown").textContent=shown.length===sessions.length?"":shown.length+" of "+sessions.length+" shown";counts();paint(true)}
let painted="";
function paint(force){const box=$("rows"),top=box.getBoundingClientRect().top+scrollY,first=Math.max(0,Math.floor((scrollY-top)/rowH)-5),last=Math.min(shown.length,first+Math.ceil(innerHeight/rowH)+10);
 const sig=first+":"+last;if(!force&&sig===painted)return;painted=sig;let h="";
 for(let i=first;i<last;i++){const s=shown[i];h+='<div class="row grid" data-key="'+esc(keyOf(s))+'" data-status="'+esc(s.status??"")+'" style="top:'+i*rowH+'px">'+rowHtml(s)+"</div>"}box.innerHTML=h}
function counts(){const n={};for(const s of sessions){const c=cls(s.status);n[c]=(n[c]||0)+1}
 $("counts").innerHTML=Object.entries(n).sort((a,b)=>(RANK[a[0]]??1)-(RANK[b[0]]??1)).map(([c,k])=>'<button class="chip s-'+c+'" data-c="'+c+'" aria-pressed="'+(wanted===c)+'">'+(SHAPES[c]||(c==="none"?"○":"?"))+" "+(c==="none"?"not polled":c==="other"?"other":c)+" "+k.toLocaleString()+"</button>").join("")}
function sinksHtml(list){if(!list.length)return"";return list.map((k)=>{let st;
 if(k.disabledReason!=null)st='<span class="bad">⊘ disabled</span> <span class="muted">'+esc(k.disabledReason)+"</span>";
 else if(k.dead)st='<span class="bad">✕ '+k.dead+" dead</span>"+(k.pending?" · "+k.pending+" pending":"");
 else if(k.pending)st='<span class="s-PENDING">◆ '+k.pending+" pending</span>";else st='<span class="s-READY">● delivering</span>';
 return'<div class="sink" data-sink="'+esc(k.name)+'"><b>'+esc(k.name)+'</b> <span class="muted">'+esc(k.type)+"</span> · "+st+"</div>"}).join("")}
function schedule(){if(pending)return;pending=true;requestAnimationFrame(()=>{pending=false;refilter()})}
async function getJson(p){const r=await fetch(p,{cache:"no-store"});if(!r.ok)throw new Error(p+": HTTP "+r.status);return r.json()}
async function loadSinks(){try{$("sinks").innerHTML=sinksHtml((await getJson("sinks")).sinks)}catch{}}
function setSessions(list){sessions=list;byKey=new Map(sessions.map((s)=>[keyOf(s),s]))}
async function loadSessions(){const[a,t]=await Promise.all([getJson("sessions"),getJson("timeline")]);setSessions(a.sessions);timeline=t}
let reading=false,readAgain=false,pausedSig="[]";
async function rereadSessions(){if(reading){readAgain=true;return}reading=true;
 try{do{readAgain=false;setSessions((await getJson("sessions")).sessions);schedule()}while(readAgain)}catch{}finally{reading=false}}
async function watchPauses(){try{if(!document.hidden){const h=await(await fetch("healthz",{cache:"no-store"})).json();
 const sig=JSON.stringify((h.pausedKeys||[]).map((p)=>[p.keySource,p.reason]).sort());if(sig!==pausedSig){pausedSig=sig;await rereadSessions()}}}catch{}
 setTimeout(watchPauses,3e3)}
function onEvent(e){const ev=JSON.parse(e.data),d=ev.data||{};if(ev.type==="watcher.unauthorized"||ev.type==="watcher.authorized"){rereadSessions();return}
 const k=d.workspaceId+"/"+d.projectName+"/"+d.authSessionId,s=byKey.get(k);if(!s)return;
 if(ev.type==="authsession.overdue"||ev.type==="authsession.overdue_resolved"){const rest=(s.overdue||[]).filter((o)=>o.rule!==d.rule);
  s.overdue=ev.type==="authsession.overdue"?rest.concat([{rule:d.rule,since:d.observedAt,reminders:d.reminder}]):rest;schedule();return}
 if("to"in d){const at=Date.parse(d.observedAt||ev.timestamp);let t=timeline.sessions[k];if(!t){t=timeline.sessions[k]={start:s.status,changes:[]}}t.changes.push([at,d.to]);s.status=d.to;s.since=d.observedAt;s.failures=0;s.lastError=null;s.lastPollAt=d.observedAt}
 else if(ev.type==="authsession.poll_failing"){s.failures=d.failures;s.lastError=d.error}else if(ev.type==="authsession.poll_recovered"){s.failures=0;s.lastError=null}
 schedule()}
function follow(){const es=new EventSource("events");es.onopen=()=>{$("live").className="on";$("live").textContent="live"};
 es.onerror=()=>{$("live").className="off";$("live").textContent="reconnecting…"};es.onmessage=onEvent}
function sizeRows(){const rem=parseFloat(getComputedStyle(document.documentElement).fontSize)||16;rowH=Math.round(rem*(matchMedia("(max-width:900px)").matches?4.8:2.6));document.documentElement.style.setProperty("--h",rowH+"px")}
async function start(){sizeRows();
 try{await loadSessions()}catch(e){$("empty").textContent=String(e.message||e);$("empty").hidden=false;return}
 refilter();document.body.dataset.firstRenderMs=String(Math.round(performance.now()));follow();loadSinks();setTimeout(watchPauses,3e3);
 setInterval(loadSinks,15e3);setInterval(()=>loadSessions().then(refilter,()=>{}),60e3);setInterval(()=>paint(true),3e4)}
addEventListener("scroll",()=>paint(false),{passive:true});addEventListener("resize",()=>{sizeRows();refilter()});
$("filter").addEventListener("input",refilter);
$("counts").addEventListener("click",(e)=>{const b=e.target.closest("button");if(!b)return;wanted=wanted===b.dataset.c?null:b.dataset.c;refilter()});
start();
`;

export const STATUS_PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="color-scheme" content="light dark"><title>authwatch status</title><style>${STYLE}</style></head>
<body><header><h1>authwatch</h1><span id="live" class="off">connecting…</span><div id="counts"></div>
<input id="filter" type="search" placeholder="Filter: project, id, status, label=value" aria-label="Filter sessions"><span id="shown" class="muted"></span></header>
<main><div id="sinks" aria-label="Sinks"></div>
<div id="head" class="grid"><div>Status</div><div>Session</div><div>Since</div><div class="c-poll">Last poll</div><div class="c-health">Poll health</div><div class="c-tl">Last 7 days</div></div>
<div id="rows" role="list"></div><div id="empty" hidden>No sessions match.</div></main>
<script>${SCRIPT}</script></body></html>
`;
