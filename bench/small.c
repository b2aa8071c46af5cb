/* The smallest program: startup cost only. */
int main(void) { return 0; }
