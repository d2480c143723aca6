"""A RAG app as a user would write it on confluent-kafka, with librdkafka's default partitioner (no
partitioner setting): a retrieval service logs each request's context chunks unkeyed on their own topic, and
the app streams its answers' tokens to the events topic, keyed by request id, several requests at once.

Usage: rag_app.py BOOTSTRAP PHASE EVENTS_TOPIC CONTEXT_TOPIC PLAN SENT
  PHASE    retrieval (request_started, then the context chunks) or generation (token deltas, finishes)
  PLAN     JSON lines: request_id, app, model, question, chunks (texts), response, finish (bool),
           retry_index (a delta sent twice, as an app retrying a send it thought failed; or null)
  SENT     appended with each record's value as sent, one per line, in the order produced
"""
import json
import sys
import time

from confluent_kafka import Producer

bootstrap, phase, events_topic, context_topic, plan_path, sent_path = sys.argv[1:7]
plan = [json.loads(line) for line in open(plan_path, encoding="utf-8") if line.strip()]
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5})
failures = []
sent = open(sent_path, "ab")


def delivered(err, msg):
    if err is not None:
        failures.append(str(err))


def send(topic, key, kind, request_id, **fields):
    event = {"kind": kind, "request_id": request_id, "event_time": int(time.time() * 1000), **fields}
    value = json.dumps(event).encode("utf-8")
    producer.produce(topic, key=key, value=value, on_delivery=delivered)
    sent.write(value + b"\n")
    producer.poll(0)


def deltas(text):
    words = text.split(" ")
    return [" ".join(words[i:i + 3]) + ("" if i + 3 >= len(words) else " ") for i in range(0, len(words), 3)]


if phase == "retrieval":
    for r in plan:
        rid = r["request_id"]
        send(events_topic, rid, "request_started", rid, app=r["app"], model=r["model"], prompt=r["question"])
        for rank, text in enumerate(r["chunks"]):
            send(context_topic, None, "context_chunk", rid, chunk_id=f"{rid}-c{rank}", rank=rank, text=text)
elif phase == "generation":
    streams = [(r, deltas(r["response"])) for r in plan]
    longest = max(len(d) for _, d in streams)
    for step in range(longest):  # round robin: every request in flight at once
        for r, ds in streams:
            if step < len(ds):
                rid = r["request_id"]
                send(events_topic, rid, "token_delta", rid, index=step, text=ds[step])
                if r.get("retry_index") == step:
                    send(events_topic, rid, "token_delta", rid, index=step, text=ds[step])
        time.sleep(0.01)  # tokens arrive over time, as from an LLM
    for r, ds in streams:
        if r["finish"]:
            send(events_topic, r["request_id"], "request_finished", r["request_id"], finish_reason="stop")
else:
    sys.exit(f"unknown phase {phase}")

remaining = producer.flush(60)
sent.close()
if remaining or failures:
    sys.exit(f"{remaining} events not delivered, failures: {failures}")
print(f"{phase}: {len(plan)} requests")
