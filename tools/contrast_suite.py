#!/usr/bin/env python3
"""Writes the contrast suite: minimal pairs of a faithful answer and a hallucinated twin that differs by one edit.

Written by hand for groundstate (not drawn from any dataset), Apache-2.0 like the rest of the project. Each context
is written once, with its pairs: (edit, question, faithful, twin). The twin's labeled span is computed as the
characters where it differs from the faithful answer, widened to whole words. It is a sanity check, never a training
set: nothing is fitted on it. Run: /usr/bin/python3 tools/contrast_suite.py > detectors/src/test/resources/contrast-suite.jsonl
"""
import json
import sys

# (task, domain, context, [(edit, question, faithful answer, hallucinated twin), ...])
CONTEXTS = [
    ("QA", "history",
     "The Eiffel Tower was completed in 1889 by Gustave Eiffel's company for the World's Fair in Paris. It is 330 "
     "metres tall and was the tallest structure in the world until 1930.",
     [
         ("date", "When was the Eiffel Tower completed?",
          "The Eiffel Tower was completed in 1889 by Gustave Eiffel's company.",
          "The Eiffel Tower was completed in 1925 by Gustave Eiffel's company."),
         ("number", "How tall is the Eiffel Tower?",
          "The Eiffel Tower is 330 metres tall.",
          "The Eiffel Tower is 450 metres tall."),
         ("unit", "How tall is the Eiffel Tower?",
          "It is 330 metres tall.",
          "It is 330 feet tall."),
     ]),
    ("QA", "business",
     "Acme Corp was founded in 1999 by Jane Smith in Denver. It employs 200 people.",
     [
         ("entity", "Who founded Acme Corp?",
          "Acme Corp was founded in 1999 by Jane Smith in Denver.",
          "Acme Corp was founded in 1999 by John Smith in Denver."),
         ("number", "How many people does Acme Corp employ?",
          "Acme Corp employs 200 people.",
          "Acme Corp employs 2,000 people."),
         ("addition", "How many people does Acme Corp employ?",
          "It employs 200 people.",
          "It employs 200 people and is not profitable."),
     ]),
    ("QA", "medicine",
     "For adults, the usual dose of ibuprofen is 200 to 400 milligrams every four to six hours. Do not take more "
     "than 1,200 milligrams in a day without a doctor's advice.",
     [
         ("number", "What is the usual adult dose of ibuprofen?",
          "The usual adult dose is 200 to 400 milligrams every four to six hours.",
          "The usual adult dose is 200 to 800 milligrams every four to six hours."),
     ]),
    ("QA", "medicine",
     "For adults, the usual dose of ibuprofen is 200 to 400 milligrams every four to six hours. Adults should not "
     "take more than 1,200 milligrams in a day without a doctor's advice.",
     [
         ("negation", "Can I take more than 1,200 milligrams of ibuprofen a day?",
          "Adults should not take more than 1,200 milligrams in a day without a doctor's advice.",
          "Adults should take more than 1,200 milligrams in a day without a doctor's advice."),
     ]),
    ("QA", "geography",
     "Canberra is the capital city of Australia. It was chosen as a compromise between Sydney and Melbourne, the "
     "two largest cities, and the parliament first met there in 1927.",
     [
         ("entity", "What is the capital of Australia?",
          "The capital of Australia is Canberra.",
          "The capital of Australia is Sydney."),
         ("date", "When did the Australian parliament first meet in Canberra?",
          "The parliament first met in Canberra in 1927.",
          "The parliament first met in Canberra in 1901."),
     ]),
    ("QA", "science",
     "At sea level, pure water boils at 100 degrees Celsius (212 degrees Fahrenheit). At higher altitudes the "
     "boiling point is lower because the air pressure is lower.",
     [
         ("number", "At what temperature does water boil at sea level?",
          "At sea level, pure water boils at 100 degrees Celsius.",
          "At sea level, pure water boils at 90 degrees Celsius."),
         ("relation", "Why is the boiling point lower at altitude?",
          "At higher altitudes the boiling point is lower because the air pressure is lower.",
          "At higher altitudes the boiling point is higher because the air pressure is lower."),
         ("unit", "At what temperature does water boil at sea level?",
          "Pure water boils at 212 degrees Fahrenheit at sea level.",
          "Pure water boils at 212 degrees Celsius at sea level."),
     ]),
    ("QA", "technology",
     "The Linux kernel was first released in 1991 by Linus Torvalds, then a student at the University of Helsinki. "
     "It is written mostly in C and is distributed under the GNU General Public License.",
     [
         ("entity", "Who created the Linux kernel?",
          "The Linux kernel was first released by Linus Torvalds in 1991.",
          "The Linux kernel was first released by Richard Stallman in 1991."),
         ("addition", "What language is the Linux kernel written in?",
          "The Linux kernel is written mostly in C.",
          "The Linux kernel is written mostly in C, with its scheduler rewritten in Rust during 2019."),
     ]),
    ("QA", "finance",
     "The Premier Saver account pays 4.1% interest a year on balances up to 25,000 pounds. Withdrawals are limited "
     "to three a year; a fourth withdrawal closes the account.",
     [
         ("number", "What interest rate does the savings account pay?",
          "The Premier Saver account pays 4.1% interest a year on balances up to 25,000 pounds.",
          "The Premier Saver account pays 5.1% interest a year on balances up to 25,000 pounds."),
         ("negation", "Does a fourth withdrawal close the Premier Saver account?",
          "Yes, a fourth withdrawal closes the account.",
          "No, a fourth withdrawal does not close the account."),
     ]),
    ("QA", "sports",
     "A rugby union team fields fifteen players, eight forwards and seven backs. A match lasts 80 minutes, split "
     "into two halves of 40 minutes.",
     [
         ("number", "How many players does a rugby union team field?",
          "A rugby union team fields fifteen players: eight forwards and seven backs.",
          "A rugby union team fields fifteen players: nine forwards and six backs."),
         ("unit", "How long does a rugby union match last?",
          "A match lasts 80 minutes, in two halves of 40 minutes.",
          "A match lasts 80 minutes, in two halves of 40 seconds."),
     ]),
    ("QA", "law",
     "The General Data Protection Regulation was adopted in April 2016 and has applied since 25 May 2018. Fines "
     "can reach 20 million euros or 4% of a company's worldwide annual turnover, whichever is higher.",
     [
         ("date", "When did the GDPR start to apply?",
          "The GDPR has applied since 25 May 2018.",
          "The GDPR has applied since 25 May 2020."),
         ("relation", "How large can GDPR fines be?",
          "Fines can reach 20 million euros or 4% of worldwide annual turnover, whichever is higher.",
          "Fines can reach 20 million euros or 4% of worldwide annual turnover, whichever is lower."),
     ]),
    ("QA", "medicine",
     "Type 1 diabetes is treated with insulin, given by injection or by a pump, together with regular checks of "
     "blood sugar. It cannot be prevented, and it usually starts in childhood or early adulthood.",
     [
         ("addition", "How is type 1 diabetes treated?",
          "Type 1 diabetes is treated with insulin, by injection or by a pump.",
          "Type 1 diabetes is treated with insulin, by injection or by a pump, and can be cured with a strict "
          "vegan diet."),
     ]),
    ("QA", "geography",
     "The Danube is about 2,850 kilometres long and flows through ten countries. The Rhine is about 1,230 "
     "kilometres long, so the Danube is more than twice as long.",
     [
         ("relation", "Which river is longer, the Danube or the Rhine?",
          "The Danube is longer than the Rhine, more than twice as long.",
          "The Rhine is longer than the Danube, more than twice as long."),
     ]),
    ("QA", "history",
     "The Titanic sank on 15 April 1912 after striking an iceberg. It did not carry enough lifeboats for everyone "
     "on board, and more than 1,500 people died.",
     [
         ("negation", "Did the Titanic carry enough lifeboats?",
          "The Titanic did not carry enough lifeboats for everyone on board.",
          "The Titanic carried enough lifeboats for everyone on board."),
     ]),
    ("Summary", "news",
     "The city council voted on Tuesday to build 300 new affordable homes on the site of the old bus depot. Work "
     "is due to start next spring and the homes should be ready by 2028. The council leader said the plan would "
     "cost 45 million pounds, paid for by a government grant.",
     [
         ("number", "",
          "The council voted to build 300 affordable homes on the old bus depot site, to be ready by 2028.",
          "The council voted to build 3,000 affordable homes on the old bus depot site, to be ready by 2028."),
         ("date", "",
          "The homes should be ready by 2028 and will cost 45 million pounds, paid for by a government grant.",
          "The homes should be ready by 2035 and will cost 45 million pounds, paid for by a government grant."),
         ("relation", "",
          "The 45 million pound plan is paid for by a government grant.",
          "The 45 million pound plan is paid for by a rise in council tax."),
     ]),
    ("Summary", "news",
     "The city council voted on Tuesday to build 300 new affordable homes on the site of the old bus depot. Work "
     "is due to start next spring and the homes should be ready by 2028.",
     [
         ("addition", "",
          "The council voted to build 300 affordable homes on the old bus depot site.",
          "The council voted to build 300 affordable homes on the old bus depot site, despite protests from "
          "residents."),
     ]),
    ("Summary", "sports",
     "Manchester United beat Arsenal 2-1 at Old Trafford on Sunday. Bruno Fernandes scored the winner in the 88th "
     "minute after Bukayo Saka had equalised for the visitors early in the second half.",
     [
         ("entity", "",
          "Bruno Fernandes scored a late winner as Manchester United beat Arsenal 2-1 at Old Trafford.",
          "Marcus Rashford scored a late winner as Manchester United beat Arsenal 2-1 at Old Trafford."),
         ("number", "",
          "Fernandes scored the winner in the 88th minute after Saka had equalised.",
          "Fernandes scored the winner in the 62nd minute after Saka had equalised."),
         ("relation", "",
          "Manchester United beat Arsenal 2-1 at Old Trafford on Sunday.",
          "Arsenal beat Manchester United 2-1 at Old Trafford on Sunday."),
     ]),
    ("Summary", "business",
     "Northwind Traders reported revenue of 4.2 billion dollars for the year, up 8% on the year before. Profit "
     "fell to 310 million dollars because of higher shipping costs. The company will open 12 new warehouses in "
     "Europe.",
     [
         ("number", "",
          "Northwind's revenue rose 8% to 4.2 billion dollars, while profit fell to 310 million dollars.",
          "Northwind's revenue rose 18% to 4.2 billion dollars, while profit fell to 310 million dollars."),
         ("negation", "",
          "Profit fell to 310 million dollars because of higher shipping costs.",
          "Profit did not fall, staying at 310 million dollars despite higher shipping costs."),
         ("entity", "",
          "The company will open 12 new warehouses in Europe.",
          "The company will open 12 new warehouses in Asia."),
     ]),
    ("Summary", "business",
     "Northwind Traders reported revenue of 4.2 billion dollars for the year, up 8% on the year before. Profit "
     "fell to 310 million dollars because of higher shipping costs.",
     [
         ("unit", "",
          "Revenue was 4.2 billion dollars, up 8% on the year before.",
          "Revenue was 4.2 billion euros, up 8% on the year before."),
     ]),
    ("Summary", "science",
     "Researchers tracked 1,200 adults for ten years and found that those who walked at least 7,000 steps a day "
     "had a 50% lower risk of dying during the study than those who walked fewer. The study was published in JAMA "
     "Network Open.",
     [
         ("number", "",
          "Adults who walked at least 7,000 steps a day had a 50% lower risk of dying during the ten-year study.",
          "Adults who walked at least 10,000 steps a day had a 50% lower risk of dying during the ten-year study."),
         ("entity", "",
          "The study of 1,200 adults was published in JAMA Network Open.",
          "The study of 1,200 adults was published in The Lancet."),
     ]),
    ("Summary", "science",
     "Researchers tracked 1,200 adults for ten years and found that those who walked at least 7,000 steps a day "
     "had a 50% lower risk of dying during the study than those who walked fewer.",
     [
         ("addition", "",
          "Researchers tracked 1,200 adults for ten years.",
          "Researchers tracked 1,200 adults for ten years, funded by a sportswear manufacturer."),
     ]),
    ("Summary", "health",
     "The new vaccine was tested on 30,000 volunteers. It prevented 94% of severe cases, and no serious side "
     "effects were reported. Regulators approved it for adults over 18.",
     [
         ("negation", "",
          "The vaccine prevented 94% of severe cases, and no serious side effects were reported.",
          "The vaccine prevented 94% of severe cases, and serious side effects were reported."),
         ("number", "",
          "Tested on 30,000 volunteers, the vaccine was approved for adults over 18.",
          "Tested on 30,000 volunteers, the vaccine was approved for adults over 65."),
         ("relation", "",
          "Regulators approved the vaccine for adults over 18.",
          "Regulators rejected the vaccine for adults over 18."),
     ]),
    ("Summary", "weather",
     "Storm Ciara brought gusts of up to 97 miles per hour to the north coast on Sunday. More than 20,000 homes "
     "lost power, and 180 flights were cancelled at the main airport.",
     [
         ("unit", "",
          "Gusts of up to 97 miles per hour hit the north coast on Sunday.",
          "Gusts of up to 97 kilometres per hour hit the north coast on Sunday."),
         ("number", "",
          "More than 20,000 homes lost power and 180 flights were cancelled.",
          "More than 20,000 homes lost power and 480 flights were cancelled."),
         ("entity", "",
          "Storm Ciara brought gusts of up to 97 miles per hour on Sunday.",
          "Storm Dennis brought gusts of up to 97 miles per hour on Sunday."),
     ]),
    ("Summary", "politics",
     "The prime minister announced on Monday that the general election will be held on 4 July. Parliament will be "
     "dissolved next week, and campaigning begins immediately.",
     [
         ("date", "",
          "The prime minister announced that the general election will be held on 4 July.",
          "The prime minister announced that the general election will be held on 14 November."),
         ("addition", "",
          "Parliament will be dissolved next week, and campaigning begins immediately.",
          "Parliament will be dissolved next week, and campaigning begins immediately, with polls predicting a "
          "narrow win for the opposition."),
     ]),
    ("Data2txt", "restaurant",
     '{"name": "Blue Harbor Grill", "address": "41 Pier Road", "city": "Monterey", "stars": 4.5, '
     '"review_count": 312, "categories": "Seafood, Bars", "attributes": {"OutdoorSeating": true, '
     '"WiFi": "free", "RestaurantsDelivery": false}, "hours": {"Monday": "11:0-22:0"}}',
     [
         ("number", "",
          "Blue Harbor Grill is a seafood restaurant and bar at 41 Pier Road in Monterey, rated 4.5 stars from 312 "
          "reviews.",
          "Blue Harbor Grill is a seafood restaurant and bar at 41 Pier Road in Monterey, rated 3.5 stars from 312 "
          "reviews."),
         ("negation", "",
          "It has outdoor seating and free WiFi, but does not offer delivery.",
          "It has outdoor seating and free WiFi, and offers delivery."),
         ("entity", "",
          "Blue Harbor Grill is located at 41 Pier Road in Monterey.",
          "Blue Harbor Grill is located at 41 Pier Road in Carmel."),
         ("addition", "",
          "Blue Harbor Grill serves seafood and has a bar.",
          "Blue Harbor Grill serves seafood and has a bar, known for its award-winning clam chowder."),
     ]),
    ("Data2txt", "restaurant",
     '{"name": "Casa Verde", "address": "9 Mission Street", "city": "San Jose", "stars": 4.0, '
     '"review_count": 87, "categories": "Mexican, Restaurants", "attributes": {"RestaurantsTakeOut": '
     'true, "RestaurantsPriceRange2": 1, "GoodForKids": true}, "hours": {"Tuesday": "10:0-21:0", '
     '"Wednesday": "10:0-21:0"}}',
     [
         ("number", "",
          "Casa Verde, a Mexican restaurant at 9 Mission Street in San Jose, has 4 stars from 87 reviews.",
          "Casa Verde, a Mexican restaurant at 9 Mission Street in San Jose, has 4 stars from 187 reviews."),
         ("relation", "",
          "Casa Verde offers takeout and is good for kids.",
          "Casa Verde offers takeout and is not good for kids."),
         ("date", "",
          "It is open on Tuesday and Wednesday.",
          "It is open on Tuesday and Sunday."),
         ("addition", "",
          "Casa Verde is a Mexican restaurant in San Jose that offers takeout.",
          "Casa Verde is a Mexican restaurant in San Jose that offers takeout and live mariachi music on weekends."),
     ]),
    ("Data2txt", "product",
     '{"product": "TrailLite 2 tent", "weight_kg": 1.8, "capacity": 2, "price_usd": 249, '
     '"waterproof_rating_mm": 3000, "colors": ["green", "grey"]}',
     [
         ("number", "",
          "The TrailLite 2 tent sleeps 2, weighs 1.8 kg and costs 249 dollars.",
          "The TrailLite 2 tent sleeps 2, weighs 2.8 kg and costs 249 dollars."),
         ("unit", "",
          "It weighs 1.8 kg and costs 249 dollars.",
          "It weighs 1.8 pounds and costs 249 dollars."),
         ("entity", "",
          "The tent comes in green and grey.",
          "The tent comes in green and orange."),
     ]),
    ("Data2txt", "sports",
     '{"match": "Lakers vs Celtics", "date": "2024-03-12", "score": {"Lakers": 112, "Celtics": 104}, '
     '"top_scorer": "Anthony Davis", "points": 34, "attendance": 18997}',
     [
         ("number", "",
          "The Lakers beat the Celtics 112 to 104, with Anthony Davis scoring 34 points.",
          "The Lakers beat the Celtics 112 to 104, with Anthony Davis scoring 43 points."),
         ("entity", "",
          "Anthony Davis was the top scorer with 34 points.",
          "LeBron James was the top scorer with 34 points."),
         ("relation", "",
          "The Lakers beat the Celtics 112 to 104.",
          "The Celtics beat the Lakers 112 to 104."),
     ]),
    ("Data2txt", "weather",
     '{"city": "Oslo", "date": "2025-01-15", "high_c": -2, "low_c": -9, "snow_cm": 12, "wind_kmh": 25}',
     [
         ("number", "",
          "In Oslo on 15 January the high was -2 degrees and 12 cm of snow fell.",
          "In Oslo on 15 January the high was -2 degrees and 32 cm of snow fell."),
         ("addition", "",
          "Oslo had 12 cm of snow with winds of 25 km per hour.",
          "Oslo had 12 cm of snow with winds of 25 km per hour, closing the airport for the afternoon."),
     ]),
    ("Data2txt", "hotel",
     '{"name": "Harbour View Hotel", "address": "2 Quay Street", "city": "Galway", "stars": 4.0, '
     '"review_count": 540, "categories": "Hotels, Travel", "attributes": {"WiFi": "free", '
     '"DogsAllowed": false, "RestaurantsReservations": true}, "hours": {"Monday": "0:0-0:0"}}',
     [
         ("number", "",
          "Harbour View Hotel in Galway has 4 stars from 540 reviews.",
          "Harbour View Hotel in Galway has 4 stars from 54 reviews."),
         ("negation", "",
          "The hotel offers free WiFi and takes reservations, but dogs are not allowed.",
          "The hotel offers free WiFi and takes reservations, and dogs are allowed."),
         ("entity", "",
          "Harbour View Hotel is at 2 Quay Street in Galway.",
          "Harbour View Hotel is at 2 Quay Street in Dublin."),
     ]),
    ("Data2txt", "company",
     '{"company": "Fjord Analytics", "founded": 2014, "headquarters": "Bergen", "employees": 85, '
     '"ceo": "Ingrid Solberg", "products": ["forecasting", "dashboards"]}',
     [
         ("date", "",
          "Fjord Analytics was founded in 2014 and is based in Bergen.",
          "Fjord Analytics was founded in 2009 and is based in Bergen."),
         ("entity", "",
          "Its CEO is Ingrid Solberg.",
          "Its CEO is Erik Solberg."),
         ("addition", "",
          "Fjord Analytics has 85 employees and makes forecasting and dashboard products.",
          "Fjord Analytics has 85 employees and makes forecasting and dashboard products, and it was acquired by "
          "Oracle."),
     ]),
]


def word_span(a, b):
    """The characters of b where it differs from a, widened to whole tokens and trimmed of spaces and punctuation."""
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    j = 0
    while j < min(len(a), len(b)) - i and a[-1 - j] == b[-1 - j]:
        j += 1
    start, end = i, len(b) - j

    def inside(k):  # a character of a word or number ("4.5", "2,000", "94%"), not a sentence's full stop
        if k < 0 or k >= len(b):
            return False
        if b[k] in ".,":
            return 0 < k < len(b) - 1 and b[k - 1].isdigit() and b[k + 1].isdigit()
        return b[k].isalnum() or b[k] in "%'-"

    if end <= start:  # a pure deletion: mark the token it touches
        start = max(0, start - 1)
        end = start + 1
    while start > 0 and inside(start - 1) and inside(start):
        start -= 1
    while end < len(b) and inside(end - 1) and inside(end):
        end += 1
    while start < end and not inside(start):
        start += 1
    while end > start and not inside(end - 1):
        end -= 1
    return start, end


def main():
    out = sys.stdout
    n = 0
    for task, domain, context, pairs in CONTEXTS:
        for edit, question, faithful, twin in pairs:
            n += 1
            assert faithful != twin, n
            start, end = word_span(faithful, twin)
            common = {"source_id": "contrast-%02d" % n, "pair": "contrast-%02d" % n, "task_type": task,
                      "model": "contrast-suite", "question": question, "context": context, "domain": domain,
                      "edit": edit}
            out.write(json.dumps(dict(id="contrast-%02d-faithful" % n, response=faithful, labels=[], hallucinated=False,
                                      twin="faithful", **common)) + "\n")
            label = {"start": start, "end": end, "text": twin[start:end], "label_type": edit}
            out.write(json.dumps(dict(id="contrast-%02d-edited" % n, response=twin, labels=[label], hallucinated=True,
                                      twin="edited", **common)) + "\n")


if __name__ == "__main__":
    main()
