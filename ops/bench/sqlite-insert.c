// The event insert's cost in SQLite per event, in C (no binding's own cost in the figures): 200-row batches into
// request_events as the migrations make it, through SQLiteNIO's own amalgamation. Modes: 0 the 200-row statement
// compiled every batch (what SQLiteNIO does), 1 the same statement kept and reset, 2 a one-row statement kept.
//   ops/bench/sqlite-insert-c.sh      (builds this against .build/checkouts/sqlite-nio, runs each mode twice)
#include "sqlite_nio_sqlite3.h"  // -I .build/checkouts/sqlite-nio/Sources/VaporCSQLite/include
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
static char*readf(const char*p){FILE*f=fopen(p,"r");fseek(f,0,2);long n=ftell(f);rewind(f);char*b=malloc(n+1);fread(b,1,n,f);b[n]=0;fclose(f);return b;}
#define COLS 27
#define ROWS 200
#define BATCHES 200
const char*names="event_id, tenant_id, project_id, service_id, token_id, occurred_at, method, route, status, error_type, total_latency_us, upstream_latency_us, bytes_in, bytes_out, provider, model, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, units, cost_nanos, cost_source, streamed, tags, service_tier";
long long seq=0;
static void bindrow(sqlite3_stmt*s,int base){char id[40];snprintf(id,40,"evt_%010llx%012llx",seq/200+1764800000000LL,seq*7919);seq++;
 int i=base;
 sqlite_nio_sqlite3_bind_text(s,++i,id,-1,SQLITE_TRANSIENT);
 sqlite_nio_sqlite3_bind_text(s,++i,"ten_abcdefghijklmnopqrst",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_text(s,++i,"prj_abcdefghijklmnopqrst",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_text(s,++i,"svc_abcdefghijklmnopqrst",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_text(s,++i,"tok_abcdefghijklmnopqrst",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_int64(s,++i,1764800000000LL+seq/10);
 sqlite_nio_sqlite3_bind_text(s,++i,"POST",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_text(s,++i,"/v1/chat/completions",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_int(s,++i,200);
 sqlite_nio_sqlite3_bind_null(s,++i);
 for(int k=0;k<4;k++) sqlite_nio_sqlite3_bind_int64(s,++i,850+k);
 sqlite_nio_sqlite3_bind_text(s,++i,"openai",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_text(s,++i,"gpt-4o-mini",-1,SQLITE_STATIC);
 for(int k=0;k<7;k++) sqlite_nio_sqlite3_bind_int64(s,++i,k*3);
 sqlite_nio_sqlite3_bind_text(s,++i,"usage",-1,SQLITE_STATIC);
 sqlite_nio_sqlite3_bind_int(s,++i,0);
 sqlite_nio_sqlite3_bind_null(s,++i);
 sqlite_nio_sqlite3_bind_null(s,++i);
}
int main(int argc,char**argv){
 int mode=atoi(argv[1]); /* 0 compile each batch; 1 cached multi-row; 2 cached single-row; 3 compile only (no step) */
 remove("/tmp/sqlite-insert-c.db");remove("/tmp/sqlite-insert-c.db-wal");remove("/tmp/sqlite-insert-c.db-shm");
 sqlite3*db;sqlite_nio_sqlite3_open("/tmp/sqlite-insert-c.db",&db);
 sqlite_nio_sqlite3_exec(db,"PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON",0,0,0);
 for(int m=2;m<argc;m++){char*e=0;if(sqlite_nio_sqlite3_exec(db,readf(argv[m]),0,0,&e))printf("mig %s: %s\n",argv[m],e);}
 char*multi=malloc(200000);sprintf(multi,"INSERT INTO request_events (%s) VALUES ",names);
 for(int r=0;r<ROWS;r++){strcat(multi,r?", (":"(");for(int c=0;c<COLS;c++)strcat(multi,c?", ?":"?");strcat(multi,")");}
 char single[2000];sprintf(single,"INSERT INTO request_events (%s) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",names);
 sqlite3_stmt*cached=0;double t0=now(),tc=0;
 for(int b=0;b<BATCHES;b++){
  sqlite_nio_sqlite3_exec(db,"BEGIN",0,0,0);
  if(mode==2){ if(!cached) sqlite_nio_sqlite3_prepare_v2(db,single,-1,&cached,0);
    for(int r=0;r<ROWS;r++){bindrow(cached,0);if(sqlite_nio_sqlite3_step(cached)!=SQLITE_DONE)printf("err %s\n",sqlite_nio_sqlite3_errmsg(db));sqlite_nio_sqlite3_reset(cached);}
  } else {
    sqlite3_stmt*s;double c0=now();
    if(mode==1&&cached) s=cached; else { if(sqlite_nio_sqlite3_prepare_v2(db,multi,-1,&s,0))printf("prep %s\n",sqlite_nio_sqlite3_errmsg(db)); }
    tc+=now()-c0;
    for(int r=0;r<ROWS;r++)bindrow(s,r*COLS);
    if(sqlite_nio_sqlite3_step(s)!=SQLITE_DONE)printf("err %s\n",sqlite_nio_sqlite3_errmsg(db));
    if(mode==1){sqlite_nio_sqlite3_reset(s);cached=s;} else sqlite_nio_sqlite3_finalize(s);
  }
  sqlite_nio_sqlite3_exec(db,"COMMIT",0,0,0);
 }
 double t=now()-t0;printf("mode %d: %.2f us/event (prepare %.2f us/event)\n",mode,t/(ROWS*BATCHES)*1e6,tc/(ROWS*BATCHES)*1e6);
}
