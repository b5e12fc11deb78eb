"""Writes bench/eval/five-kinds-eval.jsonl: 40 original prompts for each of the
six cards of five-kinds.yaml (240 in all)."""
from common import write_jsonl

CODER = "qwen3-coder"
REASON = "deepseek-r1"
WRITER = "claude-sonnet"
MED = "medgemma"
LAWFIN = "saullm"
CHAT = "llama-3.2-3b"

CODE = [
    ("code-write", "Write a Python function that builds a loan amortisation schedule and returns a list of dicts with month, payment, interest, principal and remaining balance."),
    ("code-debug", """My React component crashes with "TypeError: Cannot read properties of undefined (reading 'map')":

function Orders({ data }) {
  return <ul>{data.orders.map(o => <li key={o.id}>{o.title}</li>)}</ul>;
}

The data comes from a fetch in the parent. How do I fix it?"""),
    ("sql", "SQL to get the top 5 products by revenue for each month from sales(product_id, sold_at, qty, unit_price)"),
    ("git", "How do I squash my last 3 commits into one before pushing?"),
    ("shell", "Write a bash script that backs up /etc to a timestamped tar.gz in /backups and deletes all but the 7 newest backups."),
    ("code-explain", "Explain what Python's @functools.lru_cache does and when you should not use it."),
    ("code-write", "Write a Go HTTP middleware that logs the method, path, status code and latency of every request."),
    ("algorithms", "Implement an LRU cache in Rust with O(1) get and put."),
    ("code-debug", """Why does this throw and how do I fix it?

Exception in thread "main" java.util.ConcurrentModificationException
    at java.base/java.util.ArrayList$Itr.checkForComodification(ArrayList.java:1013)
    at Main.main(Main.java:11)

for (String name : names) {
    if (name.isBlank()) names.remove(name);
}"""),
    ("regex", "regex that matches ISO 8601 dates like 2024-03-15 and captures year, month and day in named groups"),
    ("css", "Make a responsive CSS grid of cards: 4 columns on desktop, 2 on tablets, 1 on phones, with a 16px gap."),
    ("devops", "docker-compose file with postgres 16, redis and my web app, where the app only starts once postgres passes its healthcheck"),
    ("code-tests", """Write Vitest unit tests for this:

export function clamp(n: number, min: number, max: number): number {
  if (min > max) throw new RangeError("min > max");
  return Math.min(Math.max(n, min), max);
}"""),
    ("code-review", """Review this schema for a blog, anything I should change?

CREATE TABLE posts (id serial, title text, body text, author text, tags text, created text);
CREATE TABLE comments (id serial, post_title text, body text, created text);"""),
    ("cs-concept", "What's the difference between a process and a thread, and when would I pick multiprocessing over threading in Python?"),
    ("data-code", "Write a PyTorch training loop with gradient clipping, a cosine learning-rate scheduler and validation every epoch."),
    ("code-write", "Kotlin coroutines: how do I run two network calls in parallel and combine their results?"),
    ("algorithms", "Write a C function that merges two sorted singly linked lists into one sorted list without allocating new nodes."),
    ("code-debug", "ModuleNotFoundError: No module named 'requests' even though I ran pip install requests. I'm using a venv in VS Code."),
    ("code-write", "Write a Node.js script that reads users.json (an array of {name, email, age}) and writes users.csv with just name and email."),
    ("algorithms", """What's the time complexity of this and can it be improved?

for i in range(n):
    for j in range(i, n):
        if sum(a[i:j+1]) == target:
            count += 1"""),
    ("ci", "Set up a GitLab CI pipeline that builds a Docker image and pushes it to the project registry, but only when a git tag is pushed."),
    ("web-frontend", "Write a Vue 3 star rating component that works with v-model and supports half stars."),
    ("code-write", "Implement a thread-safe token bucket rate limiter in Python."),
    ("code-review", """Convert this to async/await:

function loadConfig(path, cb) {
  fs.readFile(path, 'utf8', (err, text) => {
    if (err) return cb(err);
    try { cb(null, JSON.parse(text)); } catch (e) { cb(e); }
  });
}"""),
    ("api", "Write a GraphQL schema and resolvers in Apollo Server for books and authors with a many-to-many relation."),
    ("code-write", "Write a Python function that takes weight in kg and height in cm and returns the BMI rounded to one decimal plus its WHO category string."),
    ("code-write", "JavaScript: format a number as euros with German locale, like 1234.5 -> '1.234,50 €'"),
    ("web-frontend", "why is my useEffect running twice in development with React 18?"),
    ("sql", "Write a PostgreSQL trigger that sets updated_at to now() whenever a row in any of my tables is updated."),
    ("code-debug", """This C++ sometimes crashes:

for (auto it = v.begin(); it != v.end(); ++it) {
    if (*it < 0) v.push_back(-*it);
}

Why?"""),
    ("code-write", "Scala: write a tail-recursive function that sums a List[BigInt]."),
    ("shell", "awk one-liner to sum the third column of a CSV grouped by the value in the first column"),
    ("code-explain", "How do I make a Python dataclass immutable and hashable, and what's the difference between frozen=True and eq/unsafe_hash?"),
    ("devops", "Write a Kubernetes CronJob that runs a cleanup container every night at 02:00 and keeps only the last 3 failed jobs."),
    ("api", "Write JavaScript that generates a PKCE code verifier and S256 code challenge for an OAuth2 authorization code flow in a single-page app."),
    ("code-write", "Write a Python script with requests and BeautifulSoup that collects all article titles from a news page and saves them to titles.txt."),
    ("code-review", """Is this password handling OK?

import hashlib
def store_password(user, pw):
    user.pw_hash = hashlib.md5(pw.encode()).hexdigest()
    db.save(user)"""),
    ("code-explain", "What's the difference between == and === in JavaScript?"),
    ("code-tests", "Write a JUnit 5 test with Mockito for an OrderService that calls OrderRepository.findById and throws NotFoundException when the order is missing."),
]

REASONING = [
    ("proof", "Prove that there is no largest prime number."),
    ("algebra", "Solve for x: 3^(2x) - 4·3^x + 3 = 0"),
    ("probability", "A bag contains 5 red and 7 blue marbles. You draw three without replacement. What is the probability that exactly two are red?"),
    ("calculus", "Find the derivative of f(x) = x^x."),
    ("proof", "Prove that √2 + √3 is irrational."),
    ("logic", "On an island, knights always tell the truth and knaves always lie. A says: 'B is a knave.' B says: 'A and I are the same type.' What are A and B? Show your reasoning."),
    ("calculus", "Compute the limit as x → 0 of (sin 3x − 3x) / x^3."),
    ("combinatorics", "How many arrangements of the letters of MISSISSIPPI have no two S's next to each other?"),
    ("physics-problem", "A car accelerates uniformly from rest to 27 m/s in 9 s, then brakes at 4.5 m/s² until it stops. What total distance does it cover? Show the steps."),
    ("chemistry-problem", "Balance the combustion of propane and work out how many grams of CO2 are produced when 100 g of propane burns completely."),
    ("proof", "Prove that the product of any three consecutive integers is divisible by 6."),
    ("algebra", "Solve the system: 2x + 3y − z = 5, x − y + 2z = 3, 3x + y + z = 10."),
    ("game-theory", "There are 21 matches on a table. Two players take turns removing 1, 2 or 3 matches, and whoever takes the last match loses. Who wins with perfect play, and what is the winning strategy?"),
    ("linear-algebra", "Find the eigenvalues and eigenvectors of the matrix [[2, 1], [1, 2]]."),
    ("probability", "A dice game costs $2 per roll and pays $10 if you roll a 6. What is the expected profit per roll, and how does the variance look over 100 rolls?"),
    ("calculus", "A 10 m ladder leans against a wall and its foot slides away from the wall at 1 m/s. How fast is the top sliding down when the foot is 6 m from the wall?"),
    ("number-theory", "Find the remainder when 7^100 is divided by 13."),
    ("logic", "Ana, Bo, Cy and Di each own a different pet: a cat, a dog, a fish and a bird. Ana owns neither the cat nor the dog. Bo's pet has feathers. Cy's pet is not the dog. Who owns which pet? Explain each deduction."),
    ("proof", "Prove that the harmonic series 1 + 1/2 + 1/3 + ... diverges."),
    ("probability", "A spam filter flags 95% of spam and 2% of legitimate emails. If 40% of incoming mail is spam, what fraction of flagged emails are actually spam?"),
    ("probability", "Which is more likely: at least one six in four rolls of a die, or at least one double six in 24 rolls of two dice? Calculate both."),
    ("recurrence", "Solve the recurrence a_n = 5a_(n−1) − 6a_(n−2) with a_0 = 1 and a_1 = 4."),
    ("algebra", "Find all real x with |x − 3| + |x + 1| = 6."),
    ("physics-problem", "A projectile is launched at 30 m/s at 40° above the horizontal from the top of a 20 m cliff. How far from the base of the cliff does it land?"),
    ("proof", "Show that the rational numbers are countable but the real numbers are not."),
    ("logic", "Four people must cross a rickety bridge at night with one torch; at most two can cross at once and they must carry the torch. They take 1, 2, 5 and 10 minutes. Can all four get across in 17 minutes? Give the schedule and explain why it is optimal."),
    ("calculus", "Integrate ∫ dx / (x² + 4x + 13)."),
    ("probability", "If there's an independent 30% chance of rain on each of the next three days, what is the probability that it rains on at least two of them?"),
    ("optimisation", "Maximise 3x + 2y subject to x + y ≤ 4, x + 3y ≤ 6, x ≥ 0, y ≥ 0. Show the feasible region's corner points."),
    ("proof", "Prove that a connected graph with n vertices and n − 1 edges contains no cycle."),
    ("calculus", "Find the area enclosed between y = x² and y = 2x + 3."),
    ("proof", "Which is larger, e^π or π^e? Prove it without a calculator."),
    ("physics-problem", "One mole of an ideal gas at 300 K is compressed isothermally to half its volume. How much work is done on the gas, and how much heat leaves it?"),
    ("puzzle", "The hands of a clock line up at 12:00. At exactly what time do they next line up? Show the reasoning."),
    ("pigeonhole", "What is the smallest number of people needed to guarantee that at least three of them share a birth month? Explain with the pigeonhole principle."),
    ("algebra", "Solve log₂(x) + log₂(x − 2) = 3 and check for extraneous solutions."),
    ("word-problem", "A bacterial culture doubles every 3 hours. Starting from 500 cells, after how many hours will it first exceed one million? Set up the equation and solve it."),
    ("series", "Does the series Σ n!/nⁿ converge? Justify your answer with a convergence test."),
    ("word-problem", "A shopkeeper mixes tea costing $6/kg with tea costing $9/kg to get 30 kg of a blend worth $7/kg. How many kg of each does he use?"),
    ("geometry", "A circle is inscribed in a right triangle with legs 6 and 8. Find the radius of the circle and prove your formula."),
]

WRITING = [
    ("story", "Write a short story about a lighthouse keeper who finds a message in a bottle addressed to her."),
    ("poem", "Write a haiku about the first snow of winter."),
    ("email", "Draft a polite email to a client explaining that their order will ship two weeks late because of a supplier problem."),
    ("editing", """Rewrite this to sound more professional:

hey guys so the numbers for q3 are kinda bad, we missed the target by like 12% and honestly marketing didnt deliver, we need to fix this asap"""),
    ("cover-letter", "Write a cover letter for a junior graphic designer position at a small branding agency. I have a BA in visual communication and one internship."),
    ("marketing", "Write a warm product description for a handmade speckled ceramic mug, about 80 words."),
    ("lyrics", "Write song lyrics about a long-distance friendship, with two verses and a chorus."),
    ("speech", "Write a wedding toast for my sister Maya, funny but heartfelt, about two minutes long."),
    ("blog", "Write an engaging intro paragraph for a blog post about minimalist living in a small apartment."),
    ("editing", "Proofread this: 'Their going to the store tomorow, and they said it was to expensive to by the big one.'"),
    ("social", "Write a LinkedIn post announcing that I've started a new job as a product manager at a health-tech startup."),
    ("poem", "Write a limerick about a cat who is obsessed with lasagna."),
    ("story", "Write a scene, mostly dialogue, where two estranged brothers meet again at their father's funeral."),
    ("op-ed", "Write a persuasive op-ed arguing that our city should plant ten thousand street trees."),
    ("marketing", "Come up with 5 catchy slogans for an eco-friendly laundry detergent."),
    ("poem", "Write a sonnet about the ocean in iambic pentameter."),
    ("letter", "Write a gracious, brief resignation letter to my manager, giving four weeks' notice."),
    ("newsletter", """Turn these bullet points into a friendly newsletter paragraph:
- new opening hours from May: 8am-6pm
- outdoor seating is back
- try our new rhubarb tart
- thank you to everyone who voted for us in the local awards"""),
    ("story", "Write a bedtime story for a four-year-old about a shy little dragon who is afraid of the dark."),
    ("editing", """Make this email shorter and friendlier:

Dear team, I am writing to inform you that, as per the decision taken in the meeting that took place last week, all members of staff are required to submit their timesheets no later than 5 pm on Fridays, failing which the payroll department will be unable to process the relevant payments in a timely manner."""),
    ("fiction", "Write a menacing monologue for the villain of a fantasy novel, a sorcerer who believes he is saving the world."),
    ("social", "Write an Instagram caption for a photo of our bakery's new almond croissants."),
    ("speech", "Help me write a short speech for my grandfather's 80th birthday party. He was a carpenter and loves fishing."),
    ("fiction", "Write the opening paragraph of a noir detective novel set in 1940s Lisbon."),
    ("press-release", "Write a press release announcing the opening of a new community garden in the Eastfield neighbourhood this Saturday."),
    ("editing", """Rewrite this in a formal register suitable for a grant application:

We're a small bunch of volunteers who've been teaching kids to code for free on weekends for three years, and we really need money for laptops because the old ones keep dying."""),
    ("note", "Write a heartfelt thank-you note to my daughter's teacher at the end of the school year."),
    ("essay", "Write a 500-word personal essay about learning to swim as an adult."),
    ("job-ad", "Write an inviting job ad for a barista at an independent coffee shop that roasts its own beans."),
    ("poem", "Write a free-verse poem about my grandmother's kitchen."),
    ("lyrics", "Write a funny rap verse about Monday mornings."),
    ("marketing", "Write a launch email for our new budgeting app, aimed at young professionals, with a subject line and a clear call to action."),
    ("fiction", "Give my fantasy character a rich backstory: an exiled elven cartographer who maps places that no longer exist."),
    ("speech", "Write a short eulogy for our family dog, Biscuit, who lived to fifteen."),
    ("email", "Write an apology email to our customers about yesterday's three-hour website outage, explaining what we're doing to prevent it happening again."),
    ("story", "Write a fable with a moral about patience, starring a tortoise and a crow."),
    ("editing", """Edit this paragraph for clarity and flow:

The results, which were collected over a period of six months and which were analysed using a range of methods, show that participants who, in the morning, exercised, reported better mood, and this was also the case for sleep, which improved."""),
    ("story", "Write a horror story in exactly 100 words."),
    ("bio", "Write a professional third-person bio for a conference program: Dr. Lena Ortiz, urban planner, 15 years designing bike-friendly cities, author of 'Streets for People'."),
    ("marketing", "Write a landing-page headline and three benefit bullet points for a meditation app for busy parents."),
]

MEDICAL = [
    ("symptoms", "I've had a headache behind my right eye for 3 days and bright light makes it worse. Should I see a doctor?"),
    ("medication", "What are the common side effects of metformin?"),
    ("medication", "Can I take ibuprofen and paracetamol together?"),
    ("test-results", "My blood test shows ferritin at 8 ng/mL. What does that mean?"),
    ("disease", "What's the difference between type 1 and type 2 diabetes?"),
    ("emergency", "What are the early warning signs of a stroke?"),
    ("supplements", "How much vitamin D should an adult take per day, and can you overdose on it?"),
    ("paediatrics", "My 2-year-old has a fever of 39.5°C. When should I take her to a doctor?"),
    ("disease", "What causes shingles, and is it contagious?"),
    ("medication", "Is it safe to drink alcohol while taking amoxicillin?"),
    ("test-results", "My LDL cholesterol is 190 mg/dL and HDL is 38. How worried should I be about heart disease?"),
    ("physiology", "What is a normal resting heart rate for an adult?"),
    ("symptoms", "What are the symptoms of iron-deficiency anaemia?"),
    ("medication", "How does sertraline work, and how long does it take before it starts helping with depression?"),
    ("symptoms", "I get heartburn every night after dinner. What can I do about it, and when is it a sign of something serious?"),
    ("vaccines", "How often do adults need a tetanus booster?"),
    ("diagnostics", "What can an MRI show that a CT scan can't, and vice versa?"),
    ("test-results", "My ECG report says 'first-degree AV block'. Should I be worried?"),
    ("disease", "What are the stages of chronic kidney disease and what do they mean?"),
    ("injury", "How long does a concussion take to heal, and what should I avoid while recovering?"),
    ("symptoms", "I've had pain in my lower right abdomen that has got worse over 12 hours, with nausea and a slight fever. Could it be appendicitis?"),
    ("medication", "What's the maximum safe daily dose of acetaminophen for an adult?"),
    ("dermatology", "A mole on my back has changed colour and its edges look irregular. Should I get it checked?"),
    ("disease", "What's the difference between a cold and the flu, symptom-wise?"),
    ("disease", "How is hypothyroidism diagnosed and treated?"),
    ("pregnancy", "I'm 20 weeks pregnant — which painkillers are safe to take for a backache?"),
    ("test-results", "What does an HbA1c of 6.2% mean?"),
    ("symptoms", "How can you tell a panic attack from a heart attack?"),
    ("symptoms", "What are the common causes of tingling and numbness in the hands and feet?"),
    ("first-aid", "How should I treat a second-degree burn from a hot pan at home, and when does it need a doctor?"),
    ("disease", "What is benign prostatic hyperplasia and how is it treated?"),
    ("disease", "How does long-term high blood pressure damage the kidneys?"),
    ("medication", "My doctor put me on warfarin. Which foods and drinks interact with it?"),
    ("disease", "What causes migraines with aura, and are they linked to a higher risk of stroke?"),
    ("infection", "Why don't antibiotics work against viral infections like a cold?"),
    ("infection", "How long is someone with COVID-19 contagious after their symptoms start?"),
    ("disease", "What are the risk factors for osteoporosis, and how is bone density measured?"),
    ("symptoms", "For weeks I've been waking at 3am with a racing heart and can't get back to sleep. Could this be a thyroid problem, and what tests would a doctor do?"),
    ("emergency", "What is sepsis, and what are its warning signs?"),
    ("oncology", "My biopsy report says 'ductal carcinoma in situ'. What does that mean and what are the usual treatment options?"),
]

LEGAL_FINANCE = [
    ("tenancy", "My landlord is keeping my whole security deposit for 'general wear and tear'. Is that legal?"),
    ("retirement", "Should I put my savings into a Roth IRA or a traditional IRA?"),
    ("business-law", "What's the difference between an LLC and a sole proprietorship for taxes and personal liability?"),
    ("employment", "Can my employer fire me for telling coworkers how much I earn?"),
    ("tax", "How are capital gains taxed when I sell stocks I've held for two years?"),
    ("contract", "Is a verbal agreement legally binding?"),
    ("estate", "What happens to my property if I die without a will?"),
    ("investing", "Should I pay off my student loans early or invest the extra money in index funds?"),
    ("contract", "What should I look out for before signing a non-compete agreement?"),
    ("mortgage", "How does a 30-year fixed mortgage compare with an adjustable-rate mortgage?"),
    ("tax", "As a freelancer, can I deduct my home office on my taxes?"),
    ("litigation", "What is the statute of limitations for suing someone for breach of contract?"),
    ("investing", "What is an expense ratio, and why does it matter when picking ETFs?"),
    ("liability", "My neighbour's tree fell on my car during a storm. Who is liable for the damage?"),
    ("ip", "How do I register a trademark for my business name?"),
    ("estate", "What's the difference between a will and a living trust?"),
    ("business-finance", "Is it better for my small business to lease or buy a delivery van?"),
    ("contract", "What does a force majeure clause mean, and would it cover a pandemic?"),
    ("budgeting", "How big should my emergency fund be?"),
    ("tax", "I got a letter from the IRS saying I underreported my income. What are my options?"),
    ("tenancy", "Can I break my apartment lease early if I take a job in another city?"),
    ("investing", "Is dollar-cost averaging better than investing a lump sum all at once?"),
    ("consumer-rights", "What compensation am I entitled to if my flight from Paris is cancelled at the last minute?"),
    ("credit", "How do I dispute an error on my credit report?"),
    ("employment", "What are the legal requirements for dismissing an employee in Germany?"),
    ("retirement", "Is my 401(k) safe if my employer goes bankrupt?"),
    ("business-law", "My business partner wants out of our company. How do we value his share and structure the buyout?"),
    ("criminal-law", "What's the difference between a misdemeanor and a felony?"),
    ("tax", "How are dividends taxed in the UK?"),
    ("ip", "Can I use a copyrighted song in my YouTube video if I credit the artist?"),
    ("mortgage", "Should I refinance my mortgage from 6.8% to 5.9% if the closing costs are $4,000 and I plan to stay five more years?"),
    ("investing", "What is a fiduciary, and why does it matter whether my financial advisor is one?"),
    ("debt", "How do Chapter 7 and Chapter 13 bankruptcy differ?"),
    ("family-law", "Do we each need our own lawyer to sign a prenuptial agreement?"),
    ("privacy-law", "Does the GDPR apply to my small US online shop if some customers are in the EU?"),
    ("investing", "Why do bond prices fall when interest rates rise, and what does that mean for my bond fund?"),
    ("privacy-law", "Is it legal to record a phone call without telling the other person?"),
    ("retirement", "What should I do with my old 401(k) after changing jobs?"),
    ("contract", "Can my former employer still enforce an NDA I signed if it has no end date?"),
    ("tax", "How do I report cryptocurrency gains and losses on my tax return?"),
]

CHAT_ITEMS = [
    ("greeting", "hello!"),
    ("trivia", "What's the capital of Portugal?"),
    ("conversion", "How many cups are in a quart?"),
    ("chat", "Tell me a fun fact about sloths"),
    ("recommendation", "What's a good movie for a cozy Sunday night?"),
    ("cooking", "How do I make scrambled eggs creamy?"),
    ("trivia", "Which city hosted the 2016 Summer Olympics?"),
    ("conversion", "What time is it in New York when it's noon in Paris?"),
    ("definition", "What does 'lol' mean?"),
    ("chat", "Good night, talk tomorrow!"),
    ("travel", "What should I pack for a weekend hiking trip?"),
    ("recommendation", "Any recommendations for fun history podcasts?"),
    ("travel", "How long is the flight from London to New York?"),
    ("chat", "Thanks so much!"),
    ("trivia", "What's the tallest building in the world?"),
    ("recommendation", "Can you recommend a board game for four players?"),
    ("how-to", "How do I get sticker residue off glass?"),
    ("cooking", "What's the difference between baking soda and baking powder?"),
    ("trivia", "How many legs does a spider have?"),
    ("chat", "Tell me a joke"),
    ("travel", "What are some fun things to do in Barcelona?"),
    ("trivia", "Who sings 'Shape of You'?"),
    ("chat", "What's your name?"),
    ("cooking", "How long should I microwave a potato?"),
    ("conversion", "Convert 5 kilometers to miles"),
    ("how-to", "How often should I water a cactus?"),
    ("definition", "What's another word for 'big'?"),
    ("how-to", "how do i take a screenshot on a mac"),
    ("cooking", "How do I stop bananas from turning brown so fast?"),
    ("trivia", "Who invented the telephone?"),
    ("chat", "I just got a puppy! Any cute names you like?"),
    ("trivia", "How many players are on a soccer team?"),
    ("recommendation", "What's an easy houseplant for a beginner?"),
    ("travel", "What's the weather like in Iceland in July?"),
    ("recommendation", "Recommend a fantasy book series for a 12-year-old"),
    ("how-to", "How do you fold a fitted sheet?"),
    ("trivia", "How fast does light travel?"),
    ("chat", "I had a long day, I just want to chat for a bit"),
    ("definition", "What's the opposite of 'generous'?"),
    ("trivia", "Is Pluto still a planet?"),
]

groups = [
    (CODER, CODE), (REASON, REASONING), (WRITER, WRITING),
    (MED, MEDICAL), (LAWFIN, LEGAL_FINANCE), (CHAT, CHAT_ITEMS),
]
for card, g in groups:
    assert len(g) == 40, (card, len(g))

items = []
for i in range(40):
    for card, g in groups:
        cat, prompt = g[i]
        items.append((card, cat, prompt))

write_jsonl("five-kinds-eval.jsonl", "fk", items)
