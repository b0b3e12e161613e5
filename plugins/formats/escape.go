package formats

import (
	"fmt"
	"strconv"
	"strings"
)

// UnescapeJava resolves Java string escapes as Flink's options are read
// (StringEscapeUtils.unescapeJava): \t, \n, \r, \b, \f, \\, \', \", \uXXXX and octal \0 to
// \377; a backslash before any other character stands for that character. So
// 'csv.field-delimiter' = '\t' is a tab and '\u0001' is the 0x01 character.
func UnescapeJava(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch c = s[i]; c {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			j := i + 1
			for j < len(s) && s[j] == 'u' {
				j++
			}
			if j+4 > len(s) {
				return "", fmt.Errorf("incomplete \\u escape in %q", s)
			}
			r, err := strconv.ParseUint(s[j:j+4], 16, 16)
			if err != nil {
				return "", fmt.Errorf("bad \\u escape in %q", s)
			}
			b.WriteRune(rune(r))
			i = j + 3
		default:
			if c >= '0' && c <= '7' {
				n, j := 0, i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' && n*8+int(s[j]-'0') <= 0377 {
					n = n*8 + int(s[j]-'0')
					j++
				}
				b.WriteRune(rune(n))
				i = j - 1
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}
