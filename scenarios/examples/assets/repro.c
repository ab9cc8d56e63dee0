/* placeholder reproducer */
int main(void) { return 0; }
