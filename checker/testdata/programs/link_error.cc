// A link error: a function is declared and called but never defined.
int shared_total(int increment);

int main() { return shared_total(1); }
