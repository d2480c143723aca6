"""Instrument a RAG app: send its request, retrieved context and streamed tokens to groundstate.

Needs confluent-kafka (pip install confluent-kafka, or Debian's python3-confluent-kafka).
Usage: python3 python_producer.py BOOTSTRAP_SERVERS [TOPIC] [REQUEST_ID]
"""
import json
import sys
import time
import uuid

from confluent_kafka import Producer

bootstrap = sys.argv[1]
topic = sys.argv[2] if len(sys.argv) > 2 else "groundstate.events"
request_id = sys.argv[3] if len(sys.argv) > 3 else str(uuid.uuid4())

# Idempotence keeps retries from duplicating events; groundstate tolerates duplicates anyway. murmur2_random
# partitions keys as Java does, so that groundstate reads each event in the task that owns its request; with
# librdkafka's default (CRC32) most events take one more hop through the rekeyed topic first.
producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5,
                     "partitioner": "murmur2_random"})


def send(kind, **fields):
    event = {"kind": kind, "request_id": request_id, "event_time": int(time.time() * 1000), **fields}
    # Key = request id: every event of a request lands on one partition, in order.
    producer.produce(topic, key=request_id, value=json.dumps(event).encode("utf-8"))


question = "When was the Eiffel Tower built and how tall is it?"
passages = [
    "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris. It was designed and built "
    "by the company of engineer Gustave Eiffel between 1887 and 1889 as the centrepiece of the 1889 World's Fair.",
    "The tower is 330 metres tall, about the same height as an 81-storey building, and was the tallest "
    "man-made structure in the world until 1930.",
]
send("request_started", app="docs-example", model="example-llm", prompt=question)
for rank, text in enumerate(passages):
    send("context_chunk", chunk_id=f"passage-{rank}", rank=rank, text=text)

# In a real app these come from the LLM's stream; send each delta as it arrives.
answer = ("The Eiffel Tower was built between 1887 and 1889 by the company of Gustave Eiffel. "
          "It is 330 metres tall. It was painted gold in 1925 by Thomas Edison to celebrate his birthday.")
words = answer.split(" ")
for index in range(0, len(words), 3):
    delta = " ".join(words[index:index + 3]) + ("" if index + 3 >= len(words) else " ")
    send("token_delta", index=index // 3, text=delta)
    producer.poll(0)
send("request_finished", finish_reason="stop")

remaining = producer.flush(30)
if remaining:
    sys.exit(f"{remaining} events not delivered")
print(request_id)
