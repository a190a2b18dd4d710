"""A/B of the Embedding gradient's sort-and-reduce (backend.segment_rows_sum) against np.add.at
on the LSTM text classifier (bench_text_lstm's model, Adam), alternating in one process,
CPU-time samples/s, medians:

    PYTHONPATH=$PWD/src python benchmarks/embedding_grad_ab.py
"""
import os
import statistics
import time
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
import numpy as np
from tapeflow import keras, backend
from tapeflow.keras import layers
rng=np.random.default_rng(0)
x=rng.integers(1,20000,(32,200)).astype(np.int32); y=rng.integers(0,2,(32,1)).astype(np.float32)
keras.utils.set_random_seed(0)
m=keras.Sequential([keras.Input((200,),dtype="int32"),layers.Embedding(20000,256),layers.Bidirectional(layers.LSTM(32)),layers.Dense(1,activation="sigmoid")])
m.compile(optimizer="adam",loss="binary_crossentropy")
def timed(n=2):
    m.train_on_batch(x,y); t=time.process_time()
    for _ in range(n): m.train_on_batch(x,y)
    return 32*n/(time.process_time()-t)
r={"sort-reduce":[], "np.add.at":[]}
for _ in range(5):
    backend.SEGMENT_SUM_MIN_COLS=16; r["sort-reduce"].append(timed())
    backend.SEGMENT_SUM_MIN_COLS=10**9; r["np.add.at"].append(timed())
for k,v in r.items(): print(k, "%.1f"%statistics.median(v), [round(a) for a in v])
