"""Writes bench/eval/seed-eval.jsonl: 150 prompts for the seed config
(qwen-coder / gpt-4o / gemini-flash), 50 each. All prompts are original."""
from common import write_jsonl

C = "qwen-coder"
R = "gpt-4o"
F = "gemini-flash"

CODE = [
    ("regex", "regex for US zip codes"),
    ("code-write", "Write a Rust function that parses a semicolon-separated list of key=value pairs into a HashMap<String, String>, returning an error if any pair is missing the '='."),
    ("code-debug", """My script crashes with this:

Traceback (most recent call last):
  File "report.py", line 42, in <module>
    totals[row["region"]] += float(row["amount"])
KeyError: 'North'

totals is a plain dict that starts empty and I loop over rows from csv.DictReader. How do I fix it?"""),
    ("sql", "Given tables orders(id, customer_id, created_at, total) and customers(id, name, country), write a PostgreSQL query that returns, for each country, the customer with the highest total spend in 2023."),
    ("shell", "bash one-liner to delete every .log file older than 14 days under /var/app"),
    ("css", "How do I center a div both horizontally and vertically inside its parent using flexbox?"),
    ("code-tests", """Write pytest tests for this function, covering edge cases like empty strings, accents and repeated dashes:

def slugify(title: str) -> str:
    title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    title = re.sub(r"[^a-zA-Z0-9]+", "-", title).strip("-")
    return title.lower()"""),
    ("code-review", """Can you review this Express handler? It works but something feels off.

app.get('/user', async (req, res) => {
  const rows = await db.query("SELECT * FROM users WHERE name = '" + req.query.name + "'");
  if (rows.length == 0) res.status(404).send('not found');
  res.json(rows[0]);
});"""),
    ("code-write", "In Go, write a worker pool that reads jobs from a channel with N goroutines, collects the results, and shuts down cleanly when the context is cancelled."),
    ("code-debug", """TypeScript complains:

error TS2345: Argument of type 'string | undefined' is not assignable to parameter of type 'string'.

on this line: const user = await loadUser(process.env.USER_ID);

What's the cleanest fix?"""),
    ("code-debug", """Getting this when I start my Spring Boot app, no idea where it comes from:

Exception in thread "main" java.lang.NullPointerException: Cannot invoke "com.acme.billing.InvoiceRepo.findAll()" because "this.repo" is null
    at com.acme.billing.InvoiceService.listAll(InvoiceService.java:27)
    at com.acme.billing.App.main(App.java:14)

InvoiceService is created with `new InvoiceService()` in main and repo is an @Autowired field."""),
    ("code-debug", """This C program segfaults and I can't see why:

char *copy(const char *s) {
    char *out;
    strcpy(out, s);
    return out;
}

int main(void) { printf("%s\\n", copy("hello")); }"""),
    ("web-frontend", "Write a React hook useDebounce(value, delay) in TypeScript, with a usage example in a search box component."),
    ("devops", "Write a multi-stage Dockerfile for a Node 20 app that installs with npm ci, builds with npm run build, and runs the result as a non-root user."),
    ("git", "git: how do I undo my last commit but keep the changes staged?"),
    ("devops", "Write a Kubernetes Deployment and Service for an nginx container with 3 replicas and a readiness probe on /healthz port 8080."),
    ("regex", "What exactly does this regex match? ^(?=.*\\d)(?=.*[A-Z])[^\\s]{8,}$"),
    ("data-code", "In pandas, how do I group a DataFrame by 'store' and 'month', sum 'sales', and reshape it so months are columns and stores are rows?"),
    ("algorithms", "Implement Dijkstra's shortest path algorithm in C++ with std::priority_queue for a graph stored as an adjacency list of (neighbor, weight) pairs."),
    ("code-review", """Refactor this to be more readable, same behaviour:

def f(l):
    r = []
    for i in range(len(l)):
        if l[i] % 2 == 0:
            if l[i] not in r:
                r.append(l[i] * l[i])
    return r"""),
    ("code-debug", """Rust borrow checker error I don't understand:

error[E0502]: cannot borrow `scores` as mutable because it is also borrowed as immutable
  --> src/main.rs:9:9
   |
7  |     let best = scores.iter().max().unwrap();
   |                ------ immutable borrow occurs here
8  |
9  |         scores.push(*best + 1);
   |         ^^^^^^^^^^^^^^^^^^^^^^ mutable borrow occurs here

How do I restructure this?"""),
    ("sql", "This Postgres query is slow on a 50M-row events table: SELECT * FROM events WHERE user_id = 42 AND created_at > now() - interval '7 days' ORDER BY created_at DESC LIMIT 50; What index should I add and why?"),
    ("code-write", """Convert this Java class to idiomatic Kotlin:

public class Point {
    private final int x;
    private final int y;
    public Point(int x, int y) { this.x = x; this.y = y; }
    public int getX() { return x; }
    public int getY() { return y; }
    public Point translate(int dx, int dy) { return new Point(x + dx, y + dy); }
}"""),
    ("css", """My footer floats up into the middle of the page when there's little content. CSS:

body { margin: 0; }
footer { background: #222; color: white; padding: 1rem; }

How do I make it stick to the bottom on short pages but stay below content on long ones?"""),
    ("code-tests", "How do I mock axios.get in Jest so the unit test for my fetchUser(id) function doesn't hit the network, and assert it was called with the right URL?"),
    ("code-write", "Write a SwiftUI view that shows a list of to-do items, each with a toggle to mark it done and swipe-to-delete."),
    ("code-explain", "What's the difference between asyncio.gather and asyncio.wait in Python? Show a short code example of each."),
    ("code-explain", "what does this JS line do: const unique = [...new Set(arr)];"),
    ("api", "Write a FastAPI endpoint POST /items that validates the JSON body with a Pydantic model (name, price > 0, optional tags list) and returns 201 with the created item."),
    ("shell", "my bash script fails with 'unary operator expected' on this line: if [ $1 == \"start\" ]; then   -- what's wrong?"),
    ("shell", "PowerShell command to list the 10 largest files under C:\\Projects recursively, with sizes in MB"),
    ("code-write", "Write a Haskell function that removes consecutive duplicate elements from a list, e.g. [1,1,2,3,3,3,1] -> [1,2,3,1]."),
    ("code-debug", """Memory keeps growing in my single-page app. Every time the modal opens I run:

function openModal() {
  window.addEventListener('resize', () => positionModal(modalEl));
  modalEl.classList.add('open');
}

and closing just removes the 'open' class. Is this the leak and how should I fix it?"""),
    ("code-debug", """My binary search never terminates for some inputs:

def search(a, target):
    lo, hi = 0, len(a) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if a[mid] < target:
            lo = mid
        else:
            hi = mid
    return lo if a and a[lo] == target else -1"""),
    ("build", "Write a Makefile for a small C project with sources in src/*.c and headers in include/, building objects into build/ with automatic header dependency tracking."),
    ("ci", "Write a GitHub Actions workflow that runs cargo fmt --check, clippy and cargo test on every push, for both stable and nightly Rust."),
    ("sql", "sql query to find duplicate emails in a users table"),
    ("regex", "Python regex to pull all #hashtags out of a tweet, but skip anything that's part of a URL like https://x.com/#section"),
    ("data-code", """Vectorise this with numpy, it's too slow for 10 million points:

out = []
for x, y in zip(xs, ys):
    d = (x * x + y * y) ** 0.5
    out.append(d if d < 1.0 else 0.0)"""),
    ("code-write", "In C#, how do I read a huge CSV file line by line asynchronously and map each line to a record type without loading it all into memory?"),
    ("code-write", "Write an Elixir GenServer that holds a counter and supports increment/1, reset/0 and get/0."),
    ("code-tests", "Write table-driven Go tests for a function ParseDuration(s string) (time.Duration, error) that accepts inputs like \"1h30m\", \"45s\" and rejects \"abc\" and \"\"."),
    ("algorithms", "Implement a Trie in Java with insert, search and startsWith, and tell me the time complexity of each."),
    ("code-explain", """Why do all of these print 4 instead of 0, 1, 2, 3?

funcs = [lambda: i for i in range(4)]
print([f() for f in funcs])"""),
    ("algorithms", "Given a list of meeting bookings as [start, end] in minutes, write a JavaScript function that returns the minimum number of rooms needed so no two overlapping meetings share a room. Aim for O(n log n)."),
    ("devops", "Terraform config for an AWS S3 bucket with versioning on, server-side encryption, and all public access blocked."),
    ("devops", "nginx config: reverse proxy /api/ to localhost:8080 and serve static files from /srv/www for every other path, with gzip on."),
    ("api", """My React app gets this in the console:

Access to fetch at 'http://localhost:8000/api/login' from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.

The backend is Express 4. What do I change on the server?"""),
    ("code-write", "Write a Python script that renames every .jpeg file in a folder (and its subfolders) to .jpg, skipping files where the .jpg name already exists."),
    ("code-review", """Is there a goroutine leak here?

func firstResult(urls []string) string {
    ch := make(chan string)
    for _, u := range urls {
        go func(u string) { ch <- fetch(u) }(u)
    }
    return <-ch
}"""),
]

REASONING = [
    ("proof", "Prove that log base 2 of 3 is irrational."),
    ("proof", "Prove by induction that 1 + 3 + 5 + ... + (2n - 1) = n^2 for every positive integer n."),
    ("proof", "Show that there are infinitely many primes of the form 4k + 3."),
    ("math-word", "A train leaves city A at 9:00 heading to city B, 300 km away, at 80 km/h. Another train leaves B at 10:00 heading to A at 100 km/h. At what time do they meet, and how far from A? Show your working."),
    ("probability", "I roll three fair dice. What is the probability that the largest number showing is exactly 4? Explain the reasoning."),
    ("probability", "A disease affects 1 in 500 people. A test for it has 99% sensitivity and 95% specificity. If a random person tests positive, what's the chance they actually have the disease? Walk me through the calculation and explain why the answer surprises people."),
    ("strategy", "Our 12-person SaaS startup has to choose between raising a Series A now at a lower valuation, or cutting costs to extend runway by 9 months and raise later on better metrics. Lay out the trade-offs, the risks of each path, and what you would weigh most heavily."),
    ("essay", "Write a 1,500-word essay on whether cities should ban private cars from their centres, weighing the economic, environmental and equity arguments before reaching a conclusion."),
    ("science", "Why is the sky blue while sunsets are red? Explain Rayleigh scattering in depth, including why the sky isn't violet even though violet light scatters even more."),
    ("ethics", "Is it morally permissible to lie to a murderer at your door about where your friend is hiding? Compare Kant's answer with a consequentialist one and argue for which you find more convincing."),
    ("math", "Find the dimensions of the right circular cylinder of largest volume that fits inside a sphere of radius R, and prove that your answer is a maximum."),
    ("math", "Evaluate the integral of x^2 e^(-x) from 0 to infinity, showing each step of the integration by parts."),
    ("logic", "Three boxes are labelled 'apples', 'oranges' and 'mixed', and every label is wrong. You may take one fruit from one box without looking inside. How can you relabel all three boxes correctly? Explain why your method always works."),
    ("probability", "Explain rigorously why switching doors in the Monty Hall problem wins two thirds of the time, and diagnose exactly where the common 50/50 intuition goes wrong."),
    ("science", "Why are ice skates slippery? Critically compare the old pressure-melting explanation with the surface premelting and frictional heating explanations, and say what the evidence supports."),
    ("analysis", "Analyse how a central bank raising interest rates by two percentage points would ripple through house prices, unemployment and the exchange rate, including the time lags and second-order effects."),
    ("explanation", "Explain Gödel's first incompleteness theorem to a bright undergraduate: the key idea of the proof, and what the theorem does and does not imply about mathematics and minds."),
    ("essay", "Write a long-form essay on the fall of the Western Roman Empire that weighs at least four competing explanations and argues which mattered most."),
    ("math-word", "A shop raises a jacket's price by 25%, then marks it down 20%, and a customer uses a coupon for a further 10% off. How does the final price compare with the original, and what single discount on the raised price would give the same result? Show each step."),
    ("proof", "Prove that the angle an arc subtends at the centre of a circle is twice the angle it subtends at any point on the rest of the circumference, covering the case where the centre lies outside the inscribed angle."),
    ("decision", "I have two job offers: a stable role at a large bank paying 20% more, or an early-stage climate startup with equity and a lower salary. I'm 29, with some savings and a mortgage. Help me reason through this decision systematically, including the expected value of the equity and the risks."),
    ("trade-offs", "Compare a carbon tax with a cap-and-trade scheme for cutting emissions: economic efficiency, price certainty, political feasibility and effects on low-income households. Which would you recommend for a mid-sized economy, and why?"),
    ("science", "Why can't quantum entanglement be used to send messages faster than light? Explain carefully, referring to the no-signalling theorem and what Alice and Bob can actually observe."),
    ("probability", "What is the expected number of rolls of a fair six-sided die until every face has appeared at least once? Derive the result rather than just stating it."),
    ("combinatorics", "In how many ways can 8 people sit around a round table if two of them refuse to sit next to each other? Explain your counting."),
    ("number-theory", "Find all pairs of integers (x, y) with x^2 - y^2 = 2024, and explain how you know you have found them all."),
    ("proof", "Prove that a continuous function on a closed, bounded interval [a, b] is bounded."),
    ("proof", "Show that every eigenvalue of a real symmetric matrix is real, and that eigenvectors belonging to distinct eigenvalues are orthogonal."),
    ("science", "Explain in depth why antibiotic resistance evolves so quickly in hospitals, covering selection pressure, horizontal gene transfer and fitness costs, and what this implies for prescribing policy."),
    ("ethics", "A self-driving car must either swerve into one pedestrian or stay on course and hit three. Analyse how utilitarian, deontological and contractualist frameworks would say it should be programmed, and the strongest objection to each."),
    ("essay", "Write an in-depth essay on whether social media has been good or bad for democracy overall. Steelman both sides before you conclude."),
    ("analysis", "Analyse why a few hundred Spanish conquistadors were able to bring down the Aztec Empire. Rank the contributing factors by importance and justify the ranking."),
    ("logic", "If all bloops are razzies and some razzies are lazzies, does it follow that some bloops are lazzies? Prove it or give a counterexample, and explain the general rule."),
    ("estimation", "Estimate how many piano tuners make a living in Chicago. State every assumption, reason step by step, and give a plausible range rather than a single number."),
    ("statistics", "A drug trial with 40 participants reports p = 0.04, and a journalist writes that there's therefore a 96% chance the drug works. Explain precisely what is wrong with that claim and what the p-value actually tells us."),
    ("math-word", "Pipe A fills a tank in 6 hours and pipe B in 9 hours, while a drain empties the full tank in 12 hours. If all three are opened when the tank is one third full, how long does it take to fill it? Show the working."),
    ("science", "Why do stars above roughly 8 solar masses end in core-collapse supernovae while the Sun will end as a white dwarf? Explain the physics of the iron core, electron degeneracy pressure and the Chandrasekhar limit."),
    ("game-theory", """Two rival cafés each decide whether to advertise. If both advertise each earns 3; if neither does each earns 5; if only one advertises it earns 7 and the other earns 1. Find every Nash equilibrium, including mixed ones, and discuss whether the outcome is efficient and what could change it."""),
    ("strategy", "A regional supermarket chain is losing market share both to discount chains and to online grocery delivery. Propose three distinct strategic responses, evaluate the risks and costs of each, and say which you would pick and which metrics you'd track."),
    ("explanation", "Explain the difference between correlation and causation using three real-world cases where confounding misled researchers, and describe how a better study design would have separated cause from correlation in each."),
    ("philosophy", "Does the Ship of Theseus puzzle show that identity over time is just a matter of convention? Build the strongest argument for each side and then give your own verdict."),
    ("math", "Solve the differential equation y'' + 4y' + 4y = e^(-2x) with y(0) = 1 and y'(0) = 0, explaining why the usual guess for the particular solution must be modified."),
    ("proof", "Prove that in any finite graph the number of vertices of odd degree is even."),
    ("essay", "Write a long-form essay comparing the EU's and the US's approaches to regulating artificial intelligence, evaluating the trade-off each makes between innovation and protecting the public."),
    ("science", "Why does dissolving salt in water raise its boiling point? Explain it in terms of chemical potential and entropy rather than 'the particles get in the way', and derive why the effect depends on the number of dissolved particles."),
    ("logic", "You have 12 coins, one of which is counterfeit and may be either heavier or lighter than the rest. Using a balance scale only three times, how can you identify the fake and tell whether it is heavier or lighter? Give the full decision tree and explain why three weighings suffice."),
    ("probability", "In a room of 30 people, what is the probability that at least two share a birthday? Derive it, and explain why it is so much higher than most people expect."),
    ("trade-offs", "A country with a fast-ageing population can fund its pensions by raising the retirement age, increasing immigration, or raising payroll taxes. Analyse the economic and social trade-offs of each option and recommend a combination."),
    ("math-word", "When Ana was as old as Ben is now, Ben was half as old as Ana is now. If Ana is 24 today, how old is Ben? Set up the equations and explain each step."),
    ("science", "Evaluate the evidence for and against the hypothesis that the Younger Dryas cold snap was triggered by a comet impact, and explain which explanation most researchers currently favour and why."),
]

SIMPLE = [
    ("greeting", "hey, how are you?"),
    ("trivia", "What's the capital of Canada?"),
    ("trivia", "Who painted The Starry Night?"),
    ("conversion", "How many grams are in an ounce?"),
    ("conversion", "Convert 350 degrees Fahrenheit to Celsius"),
    ("translation", "Translate 'where is the train station?' into Spanish."),
    ("translation", "How do you say 'thank you very much' in Japanese?"),
    ("translation", "Translate this into French: \"We'll arrive on Friday evening. Could you leave the key with the neighbour?\""),
    ("summary", """Summarise this in two sentences:

The Millbrook town council voted on Tuesday to extend the opening hours of the public library on weekdays from 6 pm to 8 pm, starting in March. The change follows a survey in which more than 1,200 residents said evening hours would let them use the library after work. The extra hours will cost about $85,000 a year, which the council plans to cover by postponing the planned repaving of the library car park until 2026. Library director Ruth Ansel said the branch will also add a homework help desk staffed by volunteers on Monday and Wednesday evenings. Some councillors objected to delaying the car park work, citing complaints about potholes, but the motion passed 5 to 2."""),
    ("summary", """Can you give me the gist of this email in one line?

Hi all, just a heads-up that the office kitchen will be closed all of next week while the new dishwasher and sink are installed. Please take any food out of the fridge by Friday at 3 pm, as the fridge will be emptied and unplugged. Coffee will still be available from the machine on the second floor. Thanks for your patience! - Facilities"""),
    ("definition", "What does 'ubiquitous' mean?"),
    ("definition", "what does FYI stand for"),
    ("recipe", "Give me a simple recipe for fluffy pancakes"),
    ("cooking", "What can I use instead of buttermilk in a cake recipe?"),
    ("cooking", "How long should I boil an egg to get a runny yolk?"),
    ("how-to", "How do I get a red wine stain out of a carpet?"),
    ("how-to", "What's the right way to clean a cast iron pan after cooking?"),
    ("chat", "Tell me a joke about cats"),
    ("chat", "thanks, that helped a lot!"),
    ("trivia", "What year did the Berlin Wall fall?"),
    ("trivia", "How tall is Mount Everest?"),
    ("conversion", "If it's 3pm in London, what time is it in Tokyo?"),
    ("definition", "Give me a few synonyms for 'happy'"),
    ("definition", "What's the plural of 'cactus'?"),
    ("summary", """TL;DR please:

Product review: I bought these wireless earbuds for running. The fit is great and they never fell out, even on long runs, and the battery easily lasts the advertised 7 hours. Pairing with my phone was instant. The downsides: the touch controls are too sensitive, so I often pause the music by accident when adjusting them, and the charging case is bulky for a pocket. Sound is fine for the price but the bass is weak. Overall I'd buy them again for workouts but not for everyday listening."""),
    ("summary", """Summarise the key points of these meeting notes as bullets:

Team sync, 14 May. Attendees: Priya, Tom, Leah, Marco. Website launch moved from 1 June to 8 June because the payment provider needs another week for review. Tom will update the FAQ page by Friday. Leah reported that the new product photos are done and uploaded to the shared drive. Marco raised that the contact form still sends emails to the old support address; Priya will fix it today. Next sync on Tuesday at 10."""),
    ("chat", "Can you suggest a cute name for my new goldfish?"),
    ("everyday", "What's a good houseplant for a bathroom that gets almost no light?"),
    ("how-to", "How do I reset my AirPods?"),
    ("trivia", "Who wrote One Hundred Years of Solitude?"),
    ("trivia", "Which is the largest ocean on Earth?"),
    ("conversion", "How many teaspoons are in a tablespoon?"),
    ("translation", "Translate 'Guten Morgen, wie geht es dir?' to English"),
    ("travel", "What's the weather usually like in Kyoto in early November?"),
    ("chat", "Good morning! Got any fun plans for the weekend?"),
    ("everyday", "Can you give me a quick packing list for a weekend beach trip?"),
    ("definition", "How do you spell 'necessary'? I always get it wrong"),
    ("definition", "When do I use 'affect' and when 'effect'?"),
    ("trivia", "What's the freezing point of water in Kelvin?"),
    ("summary", """Summarise this article in three sentences:

Coastal towns in the region are reporting their busiest summer on record, with hotel occupancy above 90 percent for most of July and August. Local officials credit a new direct rail link from the capital, which cut travel time from four hours to just under two and a half. Restaurants and shops have hired extra seasonal staff, though several owners say they struggled to find workers and had to shorten opening hours on weekdays. Residents have mixed feelings: many welcome the income, but some complain about crowded beaches, traffic and rising rents as more flats are converted into holiday lets. The regional council says it will consult residents this autumn on limiting short-term rentals and adding park-and-ride buses for next season."""),
    ("translation", "Translate to Italian: Happy birthday, Grandma! We miss you and can't wait to see you in August."),
    ("trivia", "Which planet has the Great Red Spot?"),
    ("conversion", "How many minutes are in 3.5 hours?"),
    ("chat", "I'm bored, tell me something fun"),
    ("recipe", "What's a quick vegetarian dinner I can make in 15 minutes?"),
    ("how-to", "How do I unclog a bathroom sink without using chemicals?"),
    ("trivia", "Who discovered penicillin?"),
    ("definition", "What does the idiom 'break the ice' mean?"),
    ("everyday", "Write a short card message congratulating my neighbours on their new baby"),
    ("conversion", "how many km is 10 miles"),
]

assert len(CODE) == 50, len(CODE)
assert len(REASONING) == 50, len(REASONING)
assert len(SIMPLE) == 50, len(SIMPLE)

# Interleave so that the file is not sorted by label.
items = []
for a, b, c in zip(CODE, REASONING, SIMPLE):
    items.append((C, a[0], a[1]))
    items.append((R, b[0], b[1]))
    items.append((F, c[0], c[1]))

write_jsonl("seed-eval.jsonl", "se", items)
