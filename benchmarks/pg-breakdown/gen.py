"""Writes the turns of benchmarks/pg-breakdown/run.sh: COPY text files per batch and the batch's session and
turn-reference arrays as SQL literals. Deterministic (seeded)."""
import uuid, random, json, os
random.seed(1)
B=120; SESS_PER_BATCH=333; TURNS=882
sessions=[str(uuid.UUID(int=random.getrandbits(128))) for _ in range(B*SESS_PER_BATCH//4+2000)]
# waves: batch b uses sessions from a sliding window so each session appears in ~4 batches
turnno={}
def esc(s): return s.replace('\\','\\\\').replace('\t','\\t').replace('\n','\\n')
words="the a retrieval answer policy customer refund order shipping account password reset invoice".split()
def text(n): return ' '.join(random.choice(words) for _ in range(n))
os.makedirs('b',exist_ok=True)
allsess=set()
for b in range(B):
    base=(b*SESS_PER_BATCH)//4
    ss=sessions[base:base+SESS_PER_BATCH]
    allsess.update(ss)
    rows=[]; cnt={}
    for i in range(TURNS):
        s=ss[i%len(ss)]
        turnno[s]=turnno.get(s,0)+1; cnt[s]=cnt.get(s,0)+1
        sr=json.dumps([{"chunk_id":str(random.random()),"score":random.random(),"text":text(20)} for _ in range(3)])
        rows.append('\t'.join([str(uuid.UUID(int=random.getrandbits(128))),s,str(turnno[s]),esc(text(30)),esc(text(120)),'2026-01-01 00:00:%02d+00'%(i%60),str(random.randint(10,900)),esc(sr),'%.3f'%random.random(),'3','%.3f'%random.random(),'\\N','\\N','{"k":"v"}']))
    open(f'b/t{b}.tsv','w').write('\n'.join(rows)+'\n')
    ids=list(cnt); 
    open(f'b/s{b}.txt','w').write("'{%s}'::uuid[], '{%s}'::int[]"%(','.join(ids),','.join(str(cnt[i]) for i in ids)))
    refs=[r.split('\t') for r in rows]
    open(f'b/r{b}.txt','w').write("'{%s}'::uuid[], '{%s}'::int[]"%(','.join(r[1] for r in refs),','.join(r[2] for r in refs)))
open('sessions.txt','w').write('\n'.join(sorted(allsess))+'\n')
